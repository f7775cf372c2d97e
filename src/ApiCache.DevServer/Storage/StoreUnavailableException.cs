namespace ApiCache.DevServer.Storage;

/// <summary>The store could not be reached or answered with an error (the apiserver answers 500/503).</summary>
internal sealed class StoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StoreUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
