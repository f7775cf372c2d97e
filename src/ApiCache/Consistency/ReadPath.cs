namespace ApiCache.Consistency;

/// <summary>How a read for a cached resource was answered (the <c>path</c> label of <c>apicache_cache_reads_total</c>).</summary>
internal enum ReadPath
{
    /// <summary>From the cache at once: it was already fresh enough (or the read accepts any recent state).</summary>
    CacheFresh,

    /// <summary>From the cache after waiting for it to reach the revision the read needs.</summary>
    CacheAfterWait,

    /// <summary>Forwarded upstream because the cache did not reach the revision in time (or the revision source failed).</summary>
    FallbackUpstream,

    /// <summary>Answered 429: the cache was behind and fallbacks are refused or at their concurrency limit.</summary>
    Rejected429,

    /// <summary>Answered 429 because the resource's cache has not finished its initial list.</summary>
    RejectedCold,

    /// <summary>Forwarded because the cache cannot answer it exactly (a past revision outside the history, a foreign continue token).</summary>
    Forwarded,
}
