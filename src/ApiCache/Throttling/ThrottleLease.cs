using System.Threading.RateLimiting;

namespace ApiCache.Throttling;

/// <summary>
/// The leases of <see cref="TokenBucketLimiter"/> and of reject-all rules: nothing to release,
/// a failed one optionally says when to retry (<see cref="MetadataName.RetryAfter"/>).
/// </summary>
internal sealed class ThrottleLease : RateLimitLease
{
    /// <summary>A granted lease; shared, since releasing it does nothing.</summary>
    public static readonly ThrottleLease Granted = new(true, null);

    /// <summary>A refused lease without a retry hint.</summary>
    public static readonly ThrottleLease Refused = new(false, null);

    private static readonly string[] RetryAfterNames = [MetadataName.RetryAfter.Name];

    private readonly TimeSpan? _retryAfter;

    private ThrottleLease(bool acquired, TimeSpan? retryAfter)
    {
        IsAcquired = acquired;
        _retryAfter = retryAfter;
    }

    /// <inheritdoc/>
    public override bool IsAcquired { get; }

    /// <inheritdoc/>
    public override IEnumerable<string> MetadataNames => _retryAfter is null ? [] : RetryAfterNames;

    /// <summary>A refused lease whose next permit comes after <paramref name="retryAfter"/>.</summary>
    public static ThrottleLease RefusedFor(TimeSpan retryAfter) => new(false, retryAfter);

    /// <inheritdoc/>
    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (_retryAfter is { } retryAfter && metadataName == MetadataName.RetryAfter.Name)
        {
            metadata = retryAfter;
            return true;
        }

        metadata = null;
        return false;
    }
}
