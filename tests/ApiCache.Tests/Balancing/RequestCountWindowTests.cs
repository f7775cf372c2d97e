using ApiCache.Balancing;

namespace ApiCache.Tests.Balancing;

/// <summary>The sliding window of per-second request counts behind the balance figure.</summary>
public sealed class RequestCountWindowTests
{
    [Fact]
    public void Count_RequestsOlderThanTheWindow_AreNotCounted()
    {
        var window = new RequestCountWindow(60);
        window.Add(100);
        window.Add(100);
        window.Add(130);
        window.Add(159);

        Assert.Equal(4, window.Count(159));
        Assert.Equal(2, window.Count(160));
        Assert.Equal(2, window.Count(189));
        Assert.Equal(1, window.Count(190));
        Assert.Equal(0, window.Count(219));
    }

    [Fact]
    public void Add_SameSlotAMinuteLater_ResetsTheBucket()
    {
        var window = new RequestCountWindow(60);
        window.Add(10);
        window.Add(70);

        Assert.Equal(1, window.Count(70));
    }
}
