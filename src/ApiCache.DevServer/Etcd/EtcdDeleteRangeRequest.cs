namespace ApiCache.DevServer.Etcd;

/// <summary><c>DeleteRangeRequest</c>: deletes one key, or the keys in [<see cref="Key"/>, <see cref="RangeEnd"/>).</summary>
internal sealed record EtcdDeleteRangeRequest
{
    /// <summary>The key (or the first key of the range).</summary>
    public required byte[] Key { get; init; }

    /// <summary>The end of the range (exclusive); null deletes one key.</summary>
    public byte[]? RangeEnd { get; init; }

    /// <summary>Return the deleted key-values.</summary>
    public bool? PrevKv { get; init; }
}
