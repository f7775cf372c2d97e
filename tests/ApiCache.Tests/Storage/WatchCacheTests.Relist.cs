using System.Text;
using ApiCache.Informers;
using ApiCache.Storage;

namespace ApiCache.Tests.Storage;

/// <summary>Re-lists: the difference between the old and the new state becomes events at the list's RV.</summary>
public sealed partial class WatchCacheTests
{
    [Fact]
    public void Replace_Second_EmitsTheDifferenceInObjectRvOrderThenDeletionsAtTheListRv()
    {
        var a3 = Pod("a", 3, node: "n1");
        var b5 = Pod("b", 5, node: "n1");
        var c7 = Pod("c", 7, node: "n2");
        var d9 = Pod("d", 9, node: "n2");
        Sink.Replace([a3, b5, c7, d9], 10, PodList);
        var x12 = EventPod("x", 12);
        Sink.Apply(WatchEventType.Added, x12);
        var b15 = Pod("b", 15, node: "n1", app: "web");
        var e18 = Pod("e", 18);
        var f16 = Pod("f", 16);
        var g16 = Pod("g", 16);

        Sink.Replace([a3, b15, d9, e18, f16, g16, Pod("x", 12)], 20, PodList);

        Assert.True(_cache.IsReady);
        Assert.Equal(20, _cache.ResourceVersion);
        Assert.Equal(["ns/a", "ns/b", "ns/d", "ns/e", "ns/f", "ns/g", "ns/x"], Keys(_cache.Snapshot(out var now)));
        Assert.Equal(20, now);
        Assert.Same(x12, _cache.Get(new ObjectKey("ns", "x")));
        Assert.Equal(6, _cache.EventsApplied);

        var events = new List<WatchCacheEvent>();
        Assert.True(_cache.TryGetEventsSince(12, events));
        Assert.Equal(
            [
                (WatchEventType.Modified, "b", 15L),
                (WatchEventType.Added, "f", 16L),
                (WatchEventType.Added, "g", 16L),
                (WatchEventType.Added, "e", 18L),
                (WatchEventType.Deleted, "c", 20L),
            ],
            events.Select(e => (e.Type, e.Object.Name, e.Object.ResourceVersion)));
        Assert.All(events, e => Assert.Equal(20, e.ResourceVersion));
        Assert.Same(b5, events[0].Previous);
        Assert.Same(b15, events[0].Object);
        Assert.Null(events[1].Previous);

        // The deletion carries the object's last state stamped with the list's RV, as the apiserver sends it.
        var deleted = events[4];
        Assert.Same(c7, deleted.Previous);
        Assert.Equal(new ObjectKey("ns", "c"), deleted.Object.Key);
        Assert.Equal(
            Encoding.UTF8.GetString(c7.Json).Replace("\"resourceVersion\":\"7\"", "\"resourceVersion\":\"20\"", StringComparison.Ordinal),
            Encoding.UTF8.GetString(deleted.Object.Json));
        Assert.Equal(c7.Uid, deleted.Object.Uid);

        // Resuming from before the re-list replays the watch event and the difference.
        events.Clear();
        Assert.True(_cache.TryGetEventsSince(10, events));
        Assert.Equal(["x", "b", "f", "g", "e", "c"], events.Select(e => e.Object.Name));

        // The states between the cache's old RV and the list's were never seen: too old to resume or rebuild.
        foreach (var inside in new long[] { 13, 16, 19 })
        {
            Assert.False(_cache.TryGetEventsSince(inside, events), $"resuming from {inside}");
            Assert.False(_cache.TrySnapshotAt(inside, out _), $"snapshot at {inside}");
        }

        events.Clear();
        Assert.True(_cache.TryGetEventsSince(20, events));
        Assert.Empty(events);

        // The old states can still be rebuilt.
        Assert.True(_cache.TrySnapshotAt(12, out var at12));
        Assert.Equal(["ns/a", "ns/b", "ns/c", "ns/d", "ns/x"], Keys(at12));
        Assert.Same(b5, at12[1]);
        Assert.Same(c7, at12[2]);
        Assert.True(_cache.TrySnapshotAt(10, out var at10));
        Assert.Equal(new[] { a3, b5, c7, d9 }, at10);
        Assert.True(_cache.TrySnapshotAt(20, out var at20));
        Assert.Equal(Keys(_cache.Snapshot(out _)), Keys(at20));

        // The watch goes on from the list's RV.
        Sink.Apply(WatchEventType.Modified, EventPod("e", 21, node: "n3"));
        events.Clear();
        Assert.True(_cache.TryGetEventsSince(20, events));
        Assert.Same(e18, Assert.Single(events).Previous);
    }

    [Fact]
    public void Replace_SameStateAtANewerRv_EmitsNothingButTheGapStays()
    {
        var a5 = Pod("a", 5);
        Sink.Replace([a5], 10, PodList);

        Sink.Replace([Pod("a", 5)], 20, PodList);

        Assert.Equal(20, _cache.ResourceVersion);
        Assert.Same(a5, _cache.Get(new ObjectKey("ns", "a")));
        Assert.Equal(0, _cache.HistoryCount);
        var events = new List<WatchCacheEvent>();
        Assert.True(_cache.TryGetEventsSince(10, events));
        Assert.Empty(events);
        Assert.False(_cache.TryGetEventsSince(15, events));
        Assert.True(_cache.TryGetEventsSince(20, events));

        // The list at 20 includes everything up to 20.
        Sink.Apply(WatchEventType.Modified, EventPod("a", 20, node: "n1"));
        Assert.Same(a5, _cache.Get(new ObjectKey("ns", "a")));
    }

    [Fact]
    public void Replace_SameRvOtherBytes_IsAModification()
    {
        Sink.Replace([Pod("a", 5, app: "web")], 10, PodList);

        Sink.Replace([Pod("a", 5, app: "db")], 20, PodList);

        var events = new List<WatchCacheEvent>();
        Assert.True(_cache.TryGetEventsSince(10, events));
        var modified = Assert.Single(events);
        Assert.Equal(WatchEventType.Modified, modified.Type);
        Assert.True(modified.Object.TryGetLabel("app", out var app));
        Assert.Equal("db", app);
    }

    [Fact]
    public void Replace_AtTheCachesOwnRvWithNothingChanged_KeepsTheHistory()
    {
        // E.g. a re-list after a decode error when nothing was written since the last event: the
        // history still describes the state, so watchers resuming from before it must not get 410.
        Sink.Replace([Pod("a", 5)], 10, PodList);
        Sink.Apply(WatchEventType.Added, EventPod("b", 12));
        Sink.RelistStarting(RelistReason.DecodeError);

        Sink.Replace([Pod("a", 5), Pod("b", 12)], 12, PodList);

        Assert.True(_cache.IsReady);
        Assert.Equal(12, _cache.ResourceVersion);
        var events = new List<WatchCacheEvent>();
        Assert.True(_cache.TryGetEventsSince(10, events));
        Assert.Equal("b", Assert.Single(events).Object.Name);
        Assert.True(_cache.TrySnapshotAt(10, out var at10));
        Assert.Equal(["ns/a"], Keys(at10));
    }

    [Fact]
    public void Replace_OlderThanTheCacheAndDifferent_StartsTheHistoryOverAtTheCachesRv()
    {
        Sink.Replace([Pod("a", 5)], 10, PodList);
        Sink.Apply(WatchEventType.Added, EventPod("b", 12));

        Sink.Replace([Pod("a", 5), Pod("c", 8)], 11, PodList);

        Assert.Equal(12, _cache.ResourceVersion);
        Assert.Equal(["ns/a", "ns/c"], Keys(_cache.Snapshot(out _)));
        var events = new List<WatchCacheEvent>();
        Assert.False(_cache.TryGetEventsSince(10, events));
        Assert.True(_cache.TryGetEventsSince(12, events));
        Assert.Empty(events);
    }

    [Fact]
    public void Replace_Relist_ReadersProceedWhileTheListIsCompared()
    {
        Sink.Replace([Pod("a", 5), Pod("b", 6)], 10, PodList);
        var list = new ReadWhileEnumeratedList(_cache, [Pod("a", 5), Pod("b", 11), Pod("c", 12)]);

        Sink.Replace(list, 20, PodList);

        // Every pass over the list (the budget estimate and the comparison with the store) let a
        // concurrent reader in; the old state is what it read, since nothing is applied before the end.
        Assert.True(list.Passes >= 2, $"passes: {list.Passes}");
        Assert.All(list.ReadersDone, Assert.True);
        Assert.All(list.ReaderSaw, version => Assert.Equal(6, version));
        Assert.Equal(20, _cache.ResourceVersion);
        Assert.Equal(["ns/a", "ns/b", "ns/c"], Keys(_cache.Snapshot(out _)));
        var events = new List<WatchCacheEvent>();
        Assert.True(_cache.TryGetEventsSince(10, events));
        Assert.Equal([(WatchEventType.Modified, "b"), (WatchEventType.Added, "c")], events.Select(e => (e.Type, e.Object.Name)));
    }

    /// <summary>
    /// A re-list's items that, at the start of every enumeration, have another thread read the cache
    /// and wait (bounded) for it: a reader blocked by the write lock shows as not done.
    /// </summary>
    private sealed class ReadWhileEnumeratedList(WatchCache cache, IReadOnlyList<CachedObject> items) : IReadOnlyList<CachedObject>
    {
        public int Passes { get; private set; }

        public List<bool> ReadersDone { get; } = [];

        public List<long> ReaderSaw { get; } = [];

        public int Count => items.Count;

        public CachedObject this[int index] => items[index];

        public IEnumerator<CachedObject> GetEnumerator()
        {
            Passes++;
            var reader = Task.Run(() => cache.Get(new ObjectKey("ns", "b"))?.ResourceVersion ?? -1);
            var done = reader.Wait(TimeSpan.FromSeconds(10));
            ReadersDone.Add(done);
            if (done)
            {
                ReaderSaw.Add(reader.Result);
            }

            return items.GetEnumerator();
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
