using ApiCache.Tests.Infrastructure;
using ApiCache.Throttling;

namespace ApiCache.Tests.Throttling;

public sealed class ThrottlePartitionsTests
{
    private readonly FakeClock _clock = new();

    [Fact]
    public void For_TableFullOfBusyLimiters_NewKeysShareTheOverflowLimiter()
    {
        // Arrange: every partition has used its only token, so none is idle.
        using var partitions = new ThrottlePartitions(() => new TokenBucketLimiter(1, 1, _clock), perKey: true, _clock);
        for (var i = 0; i < ThrottlePartitions.MaxPartitions; i++)
        {
            partitions.For("ua-" + i).AttemptAcquire().Dispose();
        }

        // Act
        var a = partitions.For("new-a");
        var b = partitions.For("new-b");

        // Assert
        Assert.Same(a, b);
        Assert.Equal(ThrottlePartitions.MaxPartitions, partitions.Count);
    }

    [Fact]
    public void For_TableFullOfIdleLimiters_SweepsThemAfterTheInterval()
    {
        // Arrange
        using var partitions = new ThrottlePartitions(() => new TokenBucketLimiter(1, 1, _clock), perKey: true, _clock);
        for (var i = 0; i < ThrottlePartitions.MaxPartitions; i++)
        {
            partitions.For("ua-" + i).AttemptAcquire().Dispose();
        }

        // Act: the buckets refill (idle again) and a sweep is due.
        _clock.Advance(TimeSpan.FromSeconds(2));
        var limiter = partitions.For("new");

        // Assert
        Assert.Equal(1, partitions.Count);
        Assert.Same(limiter, partitions.For("new"));
    }
}
