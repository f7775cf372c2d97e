namespace ApiCache.DevServer.Etcd;

/// <summary>One key-value as etcd returns it (<c>mvccpb.KeyValue</c>); a delete event carries only key and mod revision.</summary>
internal sealed record EtcdKeyValue
{
    /// <summary>The key bytes.</summary>
    public byte[] Key { get; init => field = value ?? []; } = [];

    /// <summary>The value bytes (empty when absent: a delete event, or a keys-only read).</summary>
    public byte[] Value { get; init => field = value ?? []; } = [];

    /// <summary>The revision that created the key.</summary>
    public long CreateRevision { get; init; }

    /// <summary>The revision of the key's last change.</summary>
    public long ModRevision { get; init; }

    /// <summary>How many times the key was written since its creation.</summary>
    public long Version { get; init; }
}
