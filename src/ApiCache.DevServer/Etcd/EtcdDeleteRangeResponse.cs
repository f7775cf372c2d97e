namespace ApiCache.DevServer.Etcd;

/// <summary><c>DeleteRangeResponse</c>: how many keys were deleted (0 when none existed), and which.</summary>
internal sealed record EtcdDeleteRangeResponse
{
    /// <summary>The header.</summary>
    public EtcdResponseHeader Header { get; init => field = value ?? new(); } = new();

    /// <summary>How many keys were deleted.</summary>
    public long Deleted { get; init; }

    /// <summary>The deleted key-values, when asked for.</summary>
    public IReadOnlyList<EtcdKeyValue> PrevKvs { get; init => field = value ?? []; } = [];
}
