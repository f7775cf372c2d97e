using System.Threading.RateLimiting;

namespace ApiCache.Throttling;

/// <summary>
/// A token bucket that refills lazily from a <see cref="TimeProvider"/>: each acquisition first adds
/// the tokens the elapsed time earned (fractional rates allowed), so there is no timer per bucket —
/// thousands of per-User-Agent partitions cost nothing while idle — and tests drive it with a fake
/// clock. It never queues: a request either takes a token now or is refused with the time until the
/// next one (<see cref="MetadataName.RetryAfter"/>).
/// </summary>
/// <remarks>
/// <see cref="TokenBucketRateLimiter"/> replenishes from its own timer (or from the caller with
/// whole tokens per period); refilling on demand keeps the arithmetic exact for any rate and the
/// behaviour deterministic under a fake clock.
/// </remarks>
internal sealed class TokenBucketLimiter : RateLimiter
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly double _tokensPerTick;
    private double _tokens;
    private long _updated;
    private long _lastTaken;
    private long _successful;
    private long _failed;

    /// <summary>A full bucket of <paramref name="burst"/> tokens refilled at <paramref name="rate"/> tokens per second.</summary>
    public TokenBucketLimiter(double rate, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        ArgumentNullException.ThrowIfNull(time);
        Rate = rate;
        Burst = burst;
        _time = time;
        _tokensPerTick = rate / time.TimestampFrequency;
        _tokens = burst;
        _updated = time.GetTimestamp();
        _lastTaken = _updated;
    }

    /// <summary>Tokens added per second.</summary>
    public double Rate { get; }

    /// <summary>The bucket size.</summary>
    public int Burst { get; }

    /// <summary>
    /// Null while tokens are missing; once the bucket is full again, how long ago a token was last
    /// taken (a full bucket may be dropped: a new one behaves the same).
    /// </summary>
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                Refill(now);
                if (_tokens < Burst)
                {
                    return null;
                }

                return _time.GetElapsedTime(_lastTaken, now);
            }
        }
    }

    /// <inheritdoc/>
    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            Refill(_time.GetTimestamp());
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = (long)_tokens,
                CurrentQueuedCount = 0,
                TotalSuccessfulLeases = _successful,
                TotalFailedLeases = _failed,
            };
        }
    }

    /// <inheritdoc/>
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, Burst);
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            Refill(now);
            if (_tokens >= permitCount && (permitCount > 0 || _tokens >= 1))
            {
                _tokens -= permitCount;
                _lastTaken = now;
                _successful++;
                return ThrottleLease.Granted;
            }

            _failed++;
            var missing = Math.Max(permitCount, 1) - _tokens;
            return ThrottleLease.RefusedFor(TimeSpan.FromSeconds(missing / Rate));
        }
    }

    /// <inheritdoc/>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<RateLimitLease>(cancellationToken)
            : ValueTask.FromResult(AttemptAcquireCore(permitCount));

    /// <summary>Adds the tokens earned since the last update (caller holds the lock).</summary>
    private void Refill(long now)
    {
        if (now > _updated)
        {
            _tokens = Math.Min(Burst, _tokens + ((now - _updated) * _tokensPerTick));
            _updated = now;
        }
    }
}
