namespace ApiCache.Configuration;

/// <summary>What a throttling rule does with the requests it matches.</summary>
public enum ThrottleLimiterType
{
    /// <summary>A token bucket: <see cref="ThrottleLimiterOptions.Rate"/> requests per second, bursts up to <see cref="ThrottleLimiterOptions.Burst"/>.</summary>
    TokenBucket,

    /// <summary>At most <see cref="ThrottleLimiterOptions.MaxInFlight"/> requests in flight at once.</summary>
    Concurrency,

    /// <summary>Reject every matched request with 429.</summary>
    Reject,
}
