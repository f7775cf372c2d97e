namespace ApiCache.Consistency.Etcd;

/// <summary>How a revision lookup learns that its watch has delivered every event up to the current revision.</summary>
internal enum EtcdLookupMode
{
    /// <summary>
    /// Watch the resource's prefix and send progress requests: etcd 3.4.31+, 3.5.13+ and 3.6+ answer
    /// one only once the stream's watchers are synced, in order with their events (the versions
    /// Kubernetes requires for consistent reads from its watch cache).
    /// </summary>
    ProgressRequests,

    /// <summary>
    /// Older etcd answers progress requests out of order with events (etcd issue 15220), so the
    /// lookup watches the whole keyspace instead and stops at the first event at or past the current
    /// revision (every revision is a write, so one exists). Exact, but it reads every write since
    /// the cache's revision, so long gaps answer inexactly instead.
    /// </summary>
    KeyspaceReplay,
}
