using System.Threading.RateLimiting;
using ApiCache.Tests.Infrastructure;
using ApiCache.Throttling;

namespace ApiCache.Tests.Throttling;

public sealed class TokenBucketLimiterTests
{
    private readonly FakeClock _clock = new();

    [Fact]
    public void AttemptAcquire_FractionalRate_RefillsOneTokenPerPeriod()
    {
        // Arrange: one token every 4 s.
        using var limiter = new TokenBucketLimiter(0.25, 1, _clock);
        using var first = limiter.AttemptAcquire();

        // Act
        _clock.Advance(TimeSpan.FromSeconds(3));
        using var early = limiter.AttemptAcquire();
        _clock.Advance(TimeSpan.FromSeconds(1));
        using var onTime = limiter.AttemptAcquire();

        // Assert
        Assert.True(first.IsAcquired);
        Assert.False(early.IsAcquired);
        Assert.True(early.TryGetMetadata(MetadataName.RetryAfter, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(1), wait);
        Assert.True(onTime.IsAcquired);
    }

    [Fact]
    public void IdleDuration_FullBucket_IsTimeSinceLastTokenTaken()
    {
        // Arrange
        using var limiter = new TokenBucketLimiter(1, 2, _clock);
        limiter.AttemptAcquire().Dispose();

        // Act
        var whileRefilling = limiter.IdleDuration;
        _clock.Advance(TimeSpan.FromSeconds(5));
        var whenFull = limiter.IdleDuration;

        // Assert
        Assert.Null(whileRefilling);
        Assert.Equal(TimeSpan.FromSeconds(5), whenFull);
    }

    [Fact]
    public void GetStatistics_AfterUse_CountsLeases()
    {
        // Arrange
        using var limiter = new TokenBucketLimiter(1, 2, _clock);
        for (var i = 0; i < 5; i++)
        {
            limiter.AttemptAcquire().Dispose();
        }

        // Act
        var statistics = limiter.GetStatistics()!;

        // Assert
        Assert.Equal(2, statistics.TotalSuccessfulLeases);
        Assert.Equal(3, statistics.TotalFailedLeases);
        Assert.Equal(0, statistics.CurrentAvailablePermits);
    }

    [Fact]
    public async Task AcquireAsync_EmptyBucket_RefusesAtOnceWithoutQueueing()
    {
        // Arrange
        using var limiter = new TokenBucketLimiter(1, 1, _clock);
        limiter.AttemptAcquire().Dispose();

        // Act
        var pending = limiter.AcquireAsync();
        var completedSynchronously = pending.IsCompleted;
        using var lease = await pending;

        // Assert
        Assert.True(completedSynchronously);
        Assert.False(lease.IsAcquired);
    }
}
