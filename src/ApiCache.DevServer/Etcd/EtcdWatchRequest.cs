namespace ApiCache.DevServer.Etcd;

/// <summary><c>WatchRequest</c> (only the create variant: the gateway carries one watch per stream).</summary>
internal sealed record EtcdWatchRequest
{
    /// <summary>The watch to create.</summary>
    public required EtcdWatchCreateRequest CreateRequest { get; init; }
}
