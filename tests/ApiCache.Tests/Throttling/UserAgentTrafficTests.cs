using ApiCache.Tests.Infrastructure;
using ApiCache.Throttling;

namespace ApiCache.Tests.Throttling;

public sealed class UserAgentTrafficTests
{
    private readonly FakeClock _clock = new();

    [Fact]
    public void Snapshot_SeveralProducts_SortedByRequestsWithRejections()
    {
        // Arrange
        var traffic = new UserAgentTraffic(_clock, topCount: 20);
        Record(traffic, "kubelet", 5, 0);
        Record(traffic, "bad-agent", 50, 40);
        Record(traffic, "", 2, 1);
        Record(traffic, "kubectl", 5, 1);

        // Act
        var (top, otherRequests, otherRejections) = traffic.Snapshot(limit: 3);

        // Assert: ties on requests go to the one with more rejections.
        Assert.Equal(
            [new("bad-agent", 50, 40), new("kubectl", 5, 1), new("kubelet", 5, 0)],
            top);
        Assert.Equal(0, otherRequests);
        Assert.Equal(0, otherRejections);
    }

    [Fact]
    public void Snapshot_AfterTheWindow_ForgetsOldSeconds()
    {
        // Arrange
        var traffic = new UserAgentTraffic(_clock, topCount: 20);
        Record(traffic, "old", 10, 0);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Record(traffic, "recent", 3, 0);

        // Act
        var during = traffic.Snapshot(10).Top;
        _clock.Advance(TimeSpan.FromSeconds(30));
        var after = traffic.Snapshot(10).Top;

        // Assert
        Assert.Equal([new("old", 10, 0), new("recent", 3, 0)], during);
        Assert.Equal([new("recent", 3, 0)], after);
    }

    [Fact]
    public void Record_ManyProductsInOneSecond_OverflowIsSummedApart()
    {
        // Arrange
        var traffic = new UserAgentTraffic(_clock, topCount: 20);

        // Act
        for (var i = 0; i < UserAgentTraffic.MaxProductsPerSecond + 10; i++)
        {
            traffic.Record("p" + i, rejected: i % 2 == 0);
        }

        var (top, otherRequests, otherRejections) = traffic.Snapshot(1000);

        // Assert
        Assert.Equal(UserAgentTraffic.MaxProductsPerSecond, top.Count);
        Assert.Equal(10, otherRequests);
        Assert.Equal(5, otherRejections);
    }

    [Fact]
    public void Label_MoreProductsThanTop_NamesOnlyTheHeaviest()
    {
        // Arrange: top 2; four products of different weight.
        var traffic = new UserAgentTraffic(_clock, topCount: 2);
        Record(traffic, "light", 1, 0);
        Record(traffic, "lighter", 1, 0);
        Record(traffic, "heavy", 30, 0);
        Record(traffic, "heavier", 40, 0);

        // Act: the first two products took the free places at once; the next second the top is recomputed.
        var before = new[] { "light", "lighter", "heavy", "heavier" }.Select(traffic.Label).ToList();
        _clock.Advance(TimeSpan.FromSeconds(1));
        traffic.Record("light", rejected: false);
        var after = new[] { "light", "lighter", "heavy", "heavier" }.Select(traffic.Label).ToList();

        // Assert
        Assert.Equal(["light", "lighter", "other", "other"], before);
        Assert.Equal(["other", "other", "heavy", "heavier"], after);
    }

    [Fact]
    public void Label_EmptyProduct_IsUnknown()
    {
        // Arrange
        var traffic = new UserAgentTraffic(_clock, topCount: 5);

        // Act
        traffic.Record("", rejected: false);

        // Assert
        Assert.Equal("unknown", traffic.Label(""));
    }

    private static void Record(UserAgentTraffic traffic, string product, int requests, int rejections)
    {
        for (var i = 0; i < requests; i++)
        {
            traffic.Record(product, rejected: i < rejections);
        }
    }
}
