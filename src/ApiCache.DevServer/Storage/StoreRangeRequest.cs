namespace ApiCache.DevServer.Storage;

/// <summary>A range read: keys starting with <see cref="Prefix"/>, from <see cref="StartKey"/> on.</summary>
/// <param name="Prefix">Only keys starting with this; a full key with <see cref="SingleKey"/> reads one key.</param>
internal sealed record StoreRangeRequest(string Prefix)
{
    /// <summary>Read exactly the key <see cref="Prefix"/>, not a prefix.</summary>
    public bool SingleKey { get; init; }

    /// <summary>First key to return (inclusive); null starts at the prefix.</summary>
    public string? StartKey { get; init; }

    /// <summary>The revision to read at; 0 reads the latest.</summary>
    public long Revision { get; init; }

    /// <summary>At most this many items; 0 means no limit.</summary>
    public int Limit { get; init; }

    /// <summary>
    /// When false the caller only needs <see cref="StoreRange.More"/>, not the exact
    /// <see cref="StoreRange.Count"/>: a store may stop at the first key past the limit (Count is
    /// then a lower bound). Filtered paging reads chunk after chunk and would otherwise count the
    /// whole range each time.
    /// </summary>
    public bool CountAll { get; init; } = true;
}
