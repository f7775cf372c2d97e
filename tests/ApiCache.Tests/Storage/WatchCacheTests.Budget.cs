using ApiCache.Informers;
using ApiCache.Storage;

namespace ApiCache.Tests.Storage;

/// <summary>The byte budget: past it the cache empties itself and stops serving until a list fits again.</summary>
public sealed partial class WatchCacheTests
{
    [Fact]
    public void Replace_PastTheBudget_ThrowsAndLeavesTheCacheEmptyAndNotReady()
    {
        var a = Pod("a", 3);
        var b = Pod("b", 4);
        var c = Pod("c", 5);
        var budget = Estimated(a) + Estimated(b) + Estimated(c) - 1;
        var cache = NewCache(budget);
        IReflectorSink sink = cache;
        sink.Replace([a, b], 10, PodList);
        Assert.Equal(Estimated(a) + Estimated(b), cache.Bytes);

        var error = Assert.Throws<CacheBudgetExceededException>(() => sink.Replace([a, b, c], 20, PodList));

        Assert.Equal("pods", error.Resource);
        Assert.Equal(budget, error.BudgetBytes);
        Assert.Equal(budget + 1, error.WouldBeBytes);
        AssertEmptyAndNotReady(cache);

        sink.Replace([b, c], 30, PodList);

        Assert.True(cache.IsReady);
        Assert.Equal(30, cache.ResourceVersion);
        Assert.Equal(["ns/b", "ns/c"], Keys(cache.Snapshot(out _)));
        Assert.True(cache.TrySnapshotAt(30, out var at30));
        Assert.Equal(2, at30.Count);
        var events = new List<WatchCacheEvent>();
        Assert.True(cache.TryGetEventsSince(30, events));
        Assert.Empty(events);
    }

    [Fact]
    public void Replace_FirstListPastTheBudget_ThrowsAndStaysNotReady()
    {
        var a = Pod("a", 3);
        var cache = NewCache(Estimated(a) - 1);
        IReflectorSink sink = cache;

        Assert.Throws<CacheBudgetExceededException>(() => sink.Replace([a], 10, PodList));

        AssertEmptyAndNotReady(cache);
        sink.Replace([], 11, PodList);
        Assert.True(cache.IsReady);
    }

    [Fact]
    public void Apply_PastTheBudget_ThrowsAndLeavesTheCacheEmptyAndNotReady()
    {
        var a = Pod("a", 3);
        var b = Pod("b", 4);
        var budget = Estimated(a) + Estimated(b) + 200;
        var cache = NewCache(budget);
        IReflectorSink sink = cache;
        sink.Replace([a, b], 10, PodList);

        // A bigger version of an object counts only its growth.
        var biggerA = EventPod("a", 11, padding: 150);
        sink.Apply(WatchEventType.Modified, biggerA);
        Assert.Equal(Estimated(biggerA) + Estimated(b), cache.Bytes);
        Assert.True(cache.Bytes <= budget);

        var c = EventPod("c", 12);
        var error = Assert.Throws<CacheBudgetExceededException>(() => sink.Apply(WatchEventType.Added, c));

        Assert.Equal(Estimated(biggerA) + Estimated(b) + Estimated(c), error.WouldBeBytes);
        AssertEmptyAndNotReady(cache);

        sink.Replace([Pod("a", 3)], 40, PodList);

        Assert.True(cache.IsReady);
        Assert.Equal(40, cache.ResourceVersion);
        Assert.Equal(["ns/a"], Keys(cache.Snapshot(out _)));
        sink.Apply(WatchEventType.Added, EventPod("d", 41));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task NextChangeAsync_BudgetExceeded_CompletesSoFollowersLearnTheCacheStopped()
    {
        var a = Pod("a", 3);
        var cache = NewCache(Estimated(a) + 10);
        IReflectorSink sink = cache;
        sink.Replace([a], 10, PodList);
        var next = cache.NextChangeAsync(CancellationToken.None);

        Assert.Throws<CacheBudgetExceededException>(() => sink.Apply(WatchEventType.Added, EventPod("b", 11)));

        await next.WaitAsync(Guard);
        Assert.False(cache.IsReady);
    }

    private static long Estimated(CachedObject item) => new ObjectStore(PodSchema).EstimatedBytes(item);

    private static void AssertEmptyAndNotReady(WatchCache cache)
    {
        Assert.False(cache.IsReady);
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Bytes);
        Assert.Equal(0, cache.HistoryCount);
        Assert.Empty(cache.Snapshot(out _));
        Assert.False(cache.TrySnapshotAt(cache.ResourceVersion, out _));
    }
}
