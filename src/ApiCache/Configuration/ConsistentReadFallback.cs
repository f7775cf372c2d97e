namespace ApiCache.Configuration;

/// <summary>What a consistent read gets when the cache did not reach the current revision in time.</summary>
public enum ConsistentReadFallback
{
    /// <summary>Forward the read upstream (bounded by <see cref="ConsistentReadOptions.MaxConcurrentFallbacks"/>).</summary>
    Forward,

    /// <summary>Answer 429 TooManyRequests with Retry-After.</summary>
    Reject,
}
