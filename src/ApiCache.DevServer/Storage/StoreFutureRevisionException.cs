namespace ApiCache.DevServer.Storage;

/// <summary>A read asked for a revision the store has not reached yet.</summary>
internal sealed class StoreFutureRevisionException : Exception
{
    /// <summary>Creates the exception for <paramref name="requestedRevision"/>.</summary>
    public StoreFutureRevisionException(long requestedRevision, long currentRevision)
        : base($"required revision {requestedRevision} is a future revision (current revision {currentRevision})")
    {
        RequestedRevision = requestedRevision;
        CurrentRevision = currentRevision;
    }

    /// <summary>The revision asked for.</summary>
    public long RequestedRevision { get; }

    /// <summary>The store's revision when the read was made.</summary>
    public long CurrentRevision { get; }
}
