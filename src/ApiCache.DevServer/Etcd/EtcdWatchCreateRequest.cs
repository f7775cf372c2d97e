namespace ApiCache.DevServer.Etcd;

/// <summary><c>WatchCreateRequest</c>: watch [<see cref="Key"/>, <see cref="RangeEnd"/>) from <see cref="StartRevision"/> on.</summary>
internal sealed record EtcdWatchCreateRequest
{
    /// <summary>The key (or the first key of the range).</summary>
    public required byte[] Key { get; init; }

    /// <summary>The end of the range (exclusive); null watches one key.</summary>
    public byte[]? RangeEnd { get; init; }

    /// <summary>The first revision to deliver (inclusive); null or 0 starts after the current revision.</summary>
    public long? StartRevision { get; init; }

    /// <summary>Ask for periodic progress notifications (empty results with a header).</summary>
    public bool? ProgressNotify { get; init; }

    /// <summary>Include the previous key-value in each event.</summary>
    public bool? PrevKv { get; init; }
}
