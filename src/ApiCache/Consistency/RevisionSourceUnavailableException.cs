namespace ApiCache.Consistency;

/// <summary>
/// A revision source could not learn the current revision (its backend is down, too slow or
/// refused the request). The consistent read that asked falls back (forwards upstream or answers
/// 429) instead of serving from the cache; the message says what failed, for the log.
/// </summary>
internal sealed class RevisionSourceUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RevisionSourceUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
