namespace ApiCache.DevServer.Etcd;

/// <summary><c>RangeResponse</c>: the keys read, whether the limit cut the range, and the range's full size.</summary>
internal sealed record EtcdRangeResponse
{
    /// <summary>The header (current store revision).</summary>
    public EtcdResponseHeader Header { get; init => field = value ?? new(); } = new();

    /// <summary>The keys read, in key order.</summary>
    public IReadOnlyList<EtcdKeyValue> Kvs { get; init => field = value ?? []; } = [];

    /// <summary>True when the range holds more keys than were returned.</summary>
    public bool More { get; init; }

    /// <summary>How many keys the whole range holds, ignoring the limit.</summary>
    public long Count { get; init; }
}
