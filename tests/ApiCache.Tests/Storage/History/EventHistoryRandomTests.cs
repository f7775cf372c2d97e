using ApiCache.Storage;
using ApiCache.Tests.Infrastructure;
using static ApiCache.Tests.Storage.History.HistoryObjects;

namespace ApiCache.Tests.Storage.History;

/// <summary>
/// Seeded random histories checked against a dictionary model: every state inside the window is rebuilt
/// by an overlay on the final state, and replaying the events since any RV turns that RV's state into
/// the final one.
/// </summary>
public sealed class EventHistoryRandomTests
{
    private const long ListVersion = 100;

    [Theory]
    [InlineData(1, 1000, 1000)] // nothing evicted
    [InlineData(2, 40, 1000)] // evicted by count
    [InlineData(3, 1000, 30)] // evicted by age
    [InlineData(4, 25, 60)] // both
    [InlineData(5, 7, 1000)] // a tiny window
    public void TryBuildOverlay_RandomChanges_RebuildsEveryStateInsideTheWindow(int seed, int maxEvents, int maxAgeSeconds)
    {
        // Arrange: an initial list, then random changes; some revisions change several keys at once.
        var random = new Random(seed);
        var clock = new FakeClock(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var history = new EventHistory(maxEvents, TimeSpan.FromSeconds(maxAgeSeconds), clock);
        var model = new SortedDictionary<ObjectKey, CachedObject>();
        for (var i = 0; i < 5; i++)
        {
            var initial = HistoryObjects.Object("k" + i, ListVersion - i);
            model[initial.Key] = initial;
        }

        history.Reset(ListVersion);
        var snapshots = new SortedList<long, SortedDictionary<ObjectKey, CachedObject>> { [ListVersion] = new(model) };
        var appended = new List<WatchCacheEvent>();
        var rv = ListVersion;
        var gaps = new List<(long From, long To)>();
        for (var step = 0; step < 300; step++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(random.Next(0, 1500)));
            if (step % 100 == 50 || step == 290)
            {
                // The watch breaks: changes happen unseen, then a re-list at L is diffed into the history.
                var relisted = Relist(random, model, clock, gaps, history, appended, ref rv);
                model = relisted;
                snapshots[rv] = new SortedDictionary<ObjectKey, CachedObject>(model);
                continue;
            }

            rv += random.Next(1, 4);
            var changes = random.Next(10) == 0 ? random.Next(2, 5) : 1;
            var keys = Enumerable.Range(0, 12).OrderBy(_ => random.Next()).Take(changes).Select(i => new ObjectKey("ns", "k" + i));
            foreach (var key in keys)
            {
                WatchCacheEvent e;
                if (!model.TryGetValue(key, out var current))
                {
                    e = Added(key.Name, rv, clock);
                    model[key] = e.Object;
                }
                else if (random.Next(3) == 0)
                {
                    e = Deleted(current, rv, clock);
                    model.Remove(key);
                }
                else
                {
                    e = Modified(current, rv, clock);
                    model[key] = e.Object;
                }

                history.Append(e);
                appended.Add(e);
            }

            snapshots[rv] = new SortedDictionary<ObjectKey, CachedObject>(model);
        }

        history.EvictExpired();

        // Act + Assert
        var evicted = appended.Count - history.Count;
        var expectedFloor = evicted == 0 ? ListVersion : appended[evicted - 1].ResourceVersion;
        Assert.Equal(expectedFloor, history.OldestResourceVersion);
        Assert.Equal(rv, history.LatestResourceVersion);
        Assert.False(history.TryBuildOverlay(expectedFloor - 1, out _));
        Assert.False(history.TryGetEventsSince(expectedFloor - 1, []));
        var checkedVersions = 0;
        for (var at = expectedFloor; at <= rv; at++)
        {
            if (gaps.Exists(g => at > g.From && at < g.To))
            {
                Assert.False(history.TryBuildOverlay(at, out _), $"overlay at {at} (unobserved)");
                Assert.False(history.TryGetEventsSince(at, []), $"events since {at} (unobserved)");
                continue;
            }

            var expected = StateAt(snapshots, at);

            Assert.True(history.TryBuildOverlay(at, out var overlay), $"overlay at {at}");
            Assert.Equal(expected, Apply(model, overlay!));

            var events = new List<WatchCacheEvent>();
            Assert.True(history.TryGetEventsSince(at, events), $"events since {at}");
            Assert.Equal(model, Replay(expected, events));
            checkedVersions++;
        }

        Assert.True(checkedVersions > 0);
    }

    /// <summary>
    /// Simulates a broken watch and a re-list: a few unseen changes up to a new list RV, a gap marked
    /// between the old RV and it, and the diff between the old and the new state appended at the list RV.
    /// Returns the new state; <paramref name="rv"/> becomes the list RV.
    /// </summary>
    private static SortedDictionary<ObjectKey, CachedObject> Relist(
        Random random,
        SortedDictionary<ObjectKey, CachedObject> old,
        FakeClock clock,
        List<(long From, long To)> gaps,
        EventHistory history,
        List<WatchCacheEvent> appended,
        ref long rv)
    {
        var oldRv = rv;
        var listRv = rv + random.Next(5, 20);
        var state = new SortedDictionary<ObjectKey, CachedObject>(old);
        for (var unseen = oldRv + 1; unseen <= listRv; unseen += random.Next(1, 3))
        {
            var key = new ObjectKey("ns", "k" + random.Next(12));
            if (state.ContainsKey(key) && random.Next(3) == 0)
            {
                state.Remove(key);
            }
            else
            {
                state[key] = HistoryObjects.Object(key.Name, unseen);
            }
        }

        history.MarkGap(oldRv, listRv);
        gaps.Add((oldRv, listRv));
        var now = clock.GetUtcNow();
        var diff = new List<WatchCacheEvent>();
        foreach (var (key, before) in old)
        {
            if (!state.TryGetValue(key, out var after))
            {
                diff.Add(new WatchCacheEvent(WatchEventType.Deleted, HistoryObjects.Object(key.Name, listRv), before, listRv, now));
            }
            else if (!ReferenceEquals(before, after))
            {
                diff.Add(new WatchCacheEvent(WatchEventType.Modified, after, before, listRv, now));
            }
        }

        foreach (var (key, after) in state)
        {
            if (!old.ContainsKey(key))
            {
                diff.Add(new WatchCacheEvent(WatchEventType.Added, after, null, listRv, now));
            }
        }

        foreach (var e in diff)
        {
            history.Append(e);
            appended.Add(e);
        }

        rv = listRv;
        return state;
    }

    /// <summary>The model's state at <paramref name="resourceVersion"/>: the snapshot of the newest revision at or before it.</summary>
    private static SortedDictionary<ObjectKey, CachedObject> StateAt(SortedList<long, SortedDictionary<ObjectKey, CachedObject>> snapshots, long resourceVersion)
    {
        var index = snapshots.Count - 1;
        while (snapshots.Keys[index] > resourceVersion)
        {
            index--;
        }

        return snapshots.Values[index];
    }

    private static SortedDictionary<ObjectKey, CachedObject> Apply(SortedDictionary<ObjectKey, CachedObject> current, StateOverlay overlay)
    {
        var state = new SortedDictionary<ObjectKey, CachedObject>(current);
        foreach (var (key, past) in overlay.Entries)
        {
            if (past is null)
            {
                state.Remove(key);
            }
            else
            {
                state[key] = past;
            }
        }

        return state;
    }

    private static SortedDictionary<ObjectKey, CachedObject> Replay(SortedDictionary<ObjectKey, CachedObject> start, List<WatchCacheEvent> events)
    {
        var state = new SortedDictionary<ObjectKey, CachedObject>(start);
        foreach (var e in events)
        {
            if (e.Type == WatchEventType.Deleted)
            {
                Assert.True(state.Remove(e.Object.Key), $"deleted {e.Object.Key} was present");
            }
            else
            {
                Assert.Equal(e.Type == WatchEventType.Added, !state.ContainsKey(e.Object.Key));
                state[e.Object.Key] = e.Object;
            }
        }

        return state;
    }
}
