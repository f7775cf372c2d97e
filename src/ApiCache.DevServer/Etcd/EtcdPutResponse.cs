namespace ApiCache.DevServer.Etcd;

/// <summary><c>PutResponse</c>.</summary>
internal sealed record EtcdPutResponse
{
    /// <summary>The header (revision of the write).</summary>
    public EtcdResponseHeader Header { get; init => field = value ?? new(); } = new();

    /// <summary>The key-value before the write, when asked for and the key existed.</summary>
    public EtcdKeyValue? PrevKv { get; init; }
}
