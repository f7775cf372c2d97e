namespace ApiCache.DevServer.Etcd;

/// <summary><c>StatusResponse</c> of the maintenance service (the subset used here).</summary>
internal sealed record EtcdStatusResponse
{
    /// <summary>The header (current store revision).</summary>
    public EtcdResponseHeader Header { get; init => field = value ?? new(); } = new();

    /// <summary>The etcd server version, e.g. 3.4.23.</summary>
    public string? Version { get; init; }
}
