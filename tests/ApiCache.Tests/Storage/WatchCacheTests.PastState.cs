using ApiCache.Selectors;
using ApiCache.Storage;

namespace ApiCache.Tests.Storage;

/// <summary>
/// Queries at past RVs (pinned pages, Exact reads): the cache's answer must equal the state the test
/// itself recorded at that RV, filtered by the test's own predicates, across watch events, a bookmark
/// and a re-list.
/// </summary>
public sealed partial class WatchCacheTests
{
    private static readonly (string Namespace, string Labels, string Fields, Func<PodState, bool> Matches)[] Selections =
    [
        (null!, "", "", static _ => true),
        (null!, "app=web", "", static p => p.App == "web"),
        (null!, "", "spec.nodeName=n1", static p => p.Node == "n1"),
        (null!, "app=web", "spec.nodeName=n2", static p => p.App == "web" && p.Node == "n2"),
        (null!, "app!=web", "spec.nodeName!=n1", static p => p.App != "web" && p.Node != "n1"),
        ("ns", "app in (web,db)", "", static p => p.Object.Namespace == "ns" && p.App is "web" or "db"),
        ("other", "", "spec.nodeName=n2", static p => p.Object.Namespace == "other" && p.Node == "n2"),
    ];

    [Fact]
    public void TryQueryAt_PastRvsWithSelectors_EqualTheStateAtThatRvFiltered()
    {
        var history = BuildHistory(out var unavailable);

        for (var rv = 8L; rv <= 24; rv++)
        {
            var expectedState = history.LastOrDefault(h => h.ResourceVersion <= rv).State;
            var available = expectedState is not null && rv <= _cache.ResourceVersion && !unavailable.Contains(rv);
            foreach (var (ns, labels, fields, matches) in Selections)
            {
                var query = new StoreQuery { Namespace = ns, LabelSelector = LabelSelector.Parse(labels), FieldSelector = FieldSelector.Parse(fields) };
                var results = new List<CachedObject>();
                var answered = _cache.TryQueryAt(rv, query, results, out var result);
                var what = $"at {rv} with ns={ns} labels={labels} fields={fields}";
                Assert.True(available == answered, $"{what}: expected available={available}");
                if (!answered)
                {
                    continue;
                }

                var expected = expectedState!.Values.Where(matches).Select(p => p.Object).OrderBy(o => o.Key).ToList();
                Assert.True(expected.SequenceEqual(results), $"{what}: expected [{string.Join(",", Describe(expected))}], got [{string.Join(",", Describe(results))}]");
                Assert.Equal(results.Count, result.Count);
                Assert.False(result.HasMore);
            }
        }
    }

    [Fact]
    public void TryQueryAt_PastRvPagedByOne_ConcatenatesToTheWholeAnswer()
    {
        var history = BuildHistory(out _);
        var at12 = history.Last(h => h.ResourceVersion <= 12).State;
        var expected = at12.Values.Where(p => p.Node == "n1").Select(p => p.Object).OrderBy(o => o.Key).ToList();
        Assert.True(expected.Count >= 2);
        var pages = new List<CachedObject>();
        ObjectKey? after = null;

        for (var page = 0; page <= expected.Count; page++)
        {
            var query = new StoreQuery { FieldSelector = FieldSelector.Parse("spec.nodeName=n1"), Limit = 1, StartAfter = after };
            var results = new List<CachedObject>();
            Assert.True(_cache.TryQueryAt(12, query, results, out var result));
            pages.AddRange(results);
            if (!result.HasMore)
            {
                break;
            }

            Assert.Null(result.RemainingItemCount);
            after = results[^1].Key;
        }

        Assert.Equal(expected, pages);
    }

    [Fact]
    public void Query_CurrentRv_AnswersTheCurrentStateThroughTheNodeIndex()
    {
        var history = BuildHistory(out _);
        var current = history[^1].State;
        var results = new List<CachedObject>();

        var result = _cache.Query(new StoreQuery { FieldSelector = FieldSelector.Parse("spec.nodeName=n1") }, results, out var resourceVersion);

        Assert.Equal(_cache.ResourceVersion, resourceVersion);
        Assert.Equal(current.Values.Where(p => p.Node == "n1").Select(p => p.Object).OrderBy(o => o.Key), results);
        Assert.NotEmpty(results);
        Assert.Equal(QuerySourceKind.FieldIndex, result.Plan.Kind);
        var atNow = new List<CachedObject>();
        Assert.True(_cache.TryQueryAt(resourceVersion, new StoreQuery { FieldSelector = FieldSelector.Parse("spec.nodeName=n1") }, atNow, out _));
        Assert.Equal(results, atNow);
        Assert.False(_cache.TryQueryAt(resourceVersion + 1, new StoreQuery(), atNow, out _));
    }

    private static IEnumerable<string> Describe(IEnumerable<CachedObject> objects) => objects.Select(o => $"{o.Key}@{o.ResourceVersion}");

    /// <summary>
    /// Drives the cache through a list at 10, events at 11-16 (a pod moving nodes, a label change, a
    /// delete, an add), a bookmark at 17, a re-list at 21 and events at 22-23; returns the state the
    /// test expects after each step, and the RVs the re-list left unobservable (18-20).
    /// </summary>
    private List<(long ResourceVersion, Dictionary<ObjectKey, PodState> State)> BuildHistory(out HashSet<long> unavailable)
    {
        var state = new Dictionary<ObjectKey, PodState>();
        var history = new List<(long, Dictionary<ObjectKey, PodState>)>();
        void Put(CachedObject o, string node, string app) => state[o.Key] = new PodState(o, node, app);
        void Record(long rv) => history.Add((rv, new Dictionary<ObjectKey, PodState>(state)));
        CachedObject Event(WatchEventType type, string name, long rv, string node, string app, string ns = "ns")
        {
            var o = EventPod(name, rv, node, app, ns);
            Sink.Apply(type, o);
            if (type == WatchEventType.Deleted)
            {
                state.Remove(o.Key);
            }
            else
            {
                Put(o, node, app);
            }

            Record(rv);
            return o;
        }

        var list = new (string Name, long Rv, string Node, string App, string Ns)[]
        {
            ("p1", 2, "n1", "web", "ns"), ("p2", 3, "n2", "web", "ns"), ("p3", 4, "n1", "db", "ns"),
            ("p7", 5, "n1", "", "ns"), ("q1", 6, "n2", "web", "other"), ("q2", 9, "n1", "db", "other"),
        };
        var listed = new List<CachedObject>();
        foreach (var (name, rv, node, app, ns) in list)
        {
            var o = Pod(name, rv, node, app, ns);
            listed.Add(o);
            Put(o, node, app);
        }

        Sink.Replace(listed, 10, PodList);
        Record(10);
        Event(WatchEventType.Modified, "p1", 11, "n2", "web");              // moves nodes
        Event(WatchEventType.Added, "p4", 12, "n1", "web");
        Event(WatchEventType.Modified, "p3", 13, "n1", "web");              // label change
        Event(WatchEventType.Deleted, "p2", 14, "n2", "web");
        Event(WatchEventType.Modified, "q1", 15, "n1", "", "other");        // moves and loses its label
        Event(WatchEventType.Modified, "p4", 16, "n2", "web");
        Sink.Progress(17);

        // Re-list at 21: p3 changed (at 19), p4 and q2 gone, p2 back (at 18), p5 new (at 20).
        var relisted = new List<CachedObject>();
        var keep = new[] { "ns/p1", "ns/p7", "other/q1" };
        relisted.AddRange(state.Values.Where(p => keep.Contains(p.Object.Key.ToString())).Select(p => Pod(p.Object.Name, p.Object.ResourceVersion, p.Node, p.App, p.Object.Namespace)));
        state.Remove(new ObjectKey("ns", "p4"));
        state.Remove(new ObjectKey("other", "q2"));
        foreach (var (name, rv, node, app) in new[] { ("p3", 19L, "n2", "db"), ("p2", 18L, "n1", "web"), ("p5", 20L, "n1", "web") })
        {
            var o = Pod(name, rv, node, app);
            relisted.Add(o);
            Put(o, node, app);
        }

        relisted.Sort((x, y) => x.Key.CompareTo(y.Key));
        Sink.Replace(relisted, 21, PodList);
        Record(21);
        Event(WatchEventType.Deleted, "p1", 22, "n2", "web");
        Event(WatchEventType.Added, "p6", 23, "n1", "db");
        Assert.Equal(23, _cache.ResourceVersion);
        unavailable = [18, 19, 20];
        return history;
    }

    /// <summary>What the test knows about one pod it gave the cache.</summary>
    private sealed record PodState(CachedObject Object, string Node, string App);
}
