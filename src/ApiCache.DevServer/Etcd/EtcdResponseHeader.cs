namespace ApiCache.DevServer.Etcd;

/// <summary>The header of every etcd answer: the store revision when the request was served.</summary>
internal sealed record EtcdResponseHeader
{
    /// <summary>The key-value store revision (the latest write's revision, not a past read's revision).</summary>
    public long Revision { get; init; }
}
