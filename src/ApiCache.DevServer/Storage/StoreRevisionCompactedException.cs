namespace ApiCache.DevServer.Storage;

/// <summary>A read or watch asked for a revision whose history has been compacted away.</summary>
internal sealed class StoreRevisionCompactedException : Exception
{
    /// <summary>Creates the exception for <paramref name="requestedRevision"/>.</summary>
    public StoreRevisionCompactedException(long requestedRevision, long compactedRevision)
        : base($"required revision {requestedRevision} has been compacted (compacted revision {compactedRevision})")
    {
        RequestedRevision = requestedRevision;
        CompactedRevision = compactedRevision;
    }

    /// <summary>The revision asked for.</summary>
    public long RequestedRevision { get; }

    /// <summary>The oldest revision still available.</summary>
    public long CompactedRevision { get; }
}
