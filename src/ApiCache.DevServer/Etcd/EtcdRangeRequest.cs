namespace ApiCache.DevServer.Etcd;

/// <summary>
/// <c>RangeRequest</c>: keys in [<see cref="Key"/>, <see cref="RangeEnd"/>), or the single key
/// <see cref="Key"/> when <see cref="RangeEnd"/> is null.
/// </summary>
internal sealed record EtcdRangeRequest
{
    /// <summary>The first key (or the only key).</summary>
    public required byte[] Key { get; init; }

    /// <summary>The end of the range (exclusive); null reads one key.</summary>
    public byte[]? RangeEnd { get; init; }

    /// <summary>At most this many keys; null or 0 means no limit.</summary>
    public long? Limit { get; init; }

    /// <summary>The revision to read at; null or 0 reads the latest.</summary>
    public long? Revision { get; init; }

    /// <summary>Only count the keys; return none.</summary>
    public bool? CountOnly { get; init; }

    /// <summary>Return keys without values.</summary>
    public bool? KeysOnly { get; init; }
}
