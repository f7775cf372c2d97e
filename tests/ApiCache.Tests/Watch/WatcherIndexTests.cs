using ApiCache.Storage;
using ApiCache.Watch;

namespace ApiCache.Tests.Watch;

/// <summary><see cref="WatcherIndex"/>: an event reaches only the watchers of its node(s) and namespace plus the unfiltered ones.</summary>
public sealed class WatcherIndexTests
{
    [Fact]
    public void Collect_NodeMove_TouchesOldAndNewNodeNamespaceAndUnfilteredOnly()
    {
        var index = new WatcherIndex();
        var n1 = Add(index, null, "spec.nodeName=n1");
        var n2 = Add(index, null, "spec.nodeName=n2");
        var n3 = Add(index, null, "spec.nodeName=n3");
        var inNs = Add(index, "ns", "");
        var otherNs = Add(index, "other", "");
        var all = Add(index, null, "");
        var e = new WatchCacheEvent(WatchEventType.Modified, WatchTestPods.Pod("a", 9, node: "n2"), WatchTestPods.Pod("a", 5, node: "n1"), 9, DateTimeOffset.UnixEpoch);

        var candidates = new List<Watcher>();
        index.Collect(e, candidates);

        Assert.Equal(new HashSet<Watcher> { n1, n2, inNs, all }, candidates.ToHashSet());
        Assert.Equal(4, candidates.Count); // each once
        Assert.DoesNotContain(n3, candidates);
        Assert.DoesNotContain(otherNs, candidates);
    }

    [Fact]
    public void Remove_Watchers_LeaveTheOthersIndexed()
    {
        var index = new WatcherIndex();
        var a = Add(index, null, "spec.nodeName=n1");
        var b = Add(index, null, "spec.nodeName=n1");
        var c = Add(index, null, "");
        index.Remove(a);
        index.Remove(a); // twice is harmless
        index.Remove(c);

        var candidates = new List<Watcher>();
        index.Collect(new WatchCacheEvent(WatchEventType.Added, WatchTestPods.Pod("x", 3, node: "n1"), null, 3, DateTimeOffset.UnixEpoch), candidates);

        Assert.Equal([b], candidates);
        Assert.Equal([b], index.All);
        Assert.Equal(1, index.Count);
    }

    private static Watcher Add(WatcherIndex index, string? ns, string fields)
    {
        var watcher = new Watcher(WatchFilterTests.Filter(ns, "", fields), allowBookmarks: false, 0, 10);
        index.Add(watcher);
        return watcher;
    }
}
