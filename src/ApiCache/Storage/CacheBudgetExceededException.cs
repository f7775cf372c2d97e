namespace ApiCache.Storage;

/// <summary>
/// Thrown when applying a change would grow a resource's cache past its configured byte budget.
/// The change is not applied; the resource's cache stops serving rather than exhausting memory.
/// </summary>
internal sealed class CacheBudgetExceededException : Exception
{
    public CacheBudgetExceededException(string resource, long budgetBytes, long wouldBeBytes)
        : base($"The cache of {resource} would grow to {wouldBeBytes} bytes, past its budget of {budgetBytes} bytes "
            + "(ApiCache:Cache:Resources[].MaxBytes); it stops caching and requests for it are forwarded upstream.")
    {
        Resource = resource;
        BudgetBytes = budgetBytes;
        WouldBeBytes = wouldBeBytes;
    }

    public CacheBudgetExceededException()
        : this("?", 0, 0)
    {
    }

    public CacheBudgetExceededException(string message)
        : base(message)
    {
        Resource = "?";
    }

    public CacheBudgetExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
        Resource = "?";
    }

    /// <summary>The resource, as <c>group/resource</c>.</summary>
    public string Resource { get; }

    /// <summary>The configured budget.</summary>
    public long BudgetBytes { get; }

    /// <summary>What the cache would have held after the change.</summary>
    public long WouldBeBytes { get; }
}
