namespace ApiCache.Throttling;

/// <summary>The global throttling settings in force (taken from the configuration at start-up and on each reload).</summary>
/// <param name="Enabled">Throttle at all.</param>
/// <param name="MaxReadsInFlight">Reads in flight allowed; 0: no limit.</param>
/// <param name="MaxMutationsInFlight">Mutations in flight allowed; 0: no limit.</param>
/// <param name="RetryAfterSeconds">The Retry-After of rejections.</param>
internal sealed record ThrottleLimits(bool Enabled, int MaxReadsInFlight, int MaxMutationsInFlight, int RetryAfterSeconds);
