namespace ApiCache.Configuration;

/// <summary>The limiter of a throttling rule.</summary>
public sealed class ThrottleLimiterOptions
{
    /// <summary>The kind of limiter (required).</summary>
    public ThrottleLimiterType? Type { get; set; }

    /// <summary>For <see cref="ThrottleLimiterType.TokenBucket"/>: tokens added per second; may be fractional (0.1 = one request per 10 s).</summary>
    public double? Rate { get; set; }

    /// <summary>For <see cref="ThrottleLimiterType.TokenBucket"/>: the bucket size (requests allowed at once after a quiet spell); default: the rate rounded up, at least 1.</summary>
    public int? Burst { get; set; }

    /// <summary>For <see cref="ThrottleLimiterType.Concurrency"/>: the most requests in flight at once.</summary>
    public int? MaxInFlight { get; set; }
}
