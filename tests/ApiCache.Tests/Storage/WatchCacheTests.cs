using System.Text;
using ApiCache.Caching;
using ApiCache.Informers;
using ApiCache.Selectors;
using ApiCache.Storage;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace ApiCache.Tests.Storage;

/// <summary>
/// <see cref="WatchCache"/> driven as its reflector drives it, through <see cref="IReflectorSink"/>,
/// with pods decoded by <see cref="ObjectDecoder"/> from small JSON objects and a <see cref="FakeClock"/>.
/// This part: the first list, watch events, stale events, bookmarks, freshness waits, change
/// notifications, re-list start and type information; the other parts cover re-lists, the byte
/// budget and past states.
/// </summary>
public sealed partial class WatchCacheTests : IDisposable
{
    private static readonly ObjectSchema PodSchema = Watch.WatchTestPods.Schema;
    private static readonly ListTypeInfo PodList = new("PodList", "v1", false);

    /// <summary>Only a guard against a hang; every wait below completes (or not) deterministically.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly FakeClock _clock = new();
    private readonly ObjectDecoder _decoder = new(PodSchema, namespaced: true);
    private readonly List<WatchCache> _caches = [];
    private readonly WatchCache _cache;

    public WatchCacheTests()
    {
        _cache = NewCache();
    }

    private IReflectorSink Sink => _cache;

    public void Dispose()
    {
        foreach (var cache in _caches)
        {
            cache.Dispose();
        }
    }

    [Fact]
    public async Task Replace_First_MakesTheCacheReadyAtTheListRv()
    {
        Assert.False(_cache.IsReady);
        Assert.Equal(0, _cache.ResourceVersion);
        Assert.Null(_cache.TypeInfo);
        Assert.False(_cache.TrySnapshotAt(0, out _));
        var changed = _cache.NextChangeAsync(CancellationToken.None);
        var b = Pod("b", 4);
        var a = Pod("a", 7, node: "n1");

        Sink.Replace([b, a], 10, PodList);

        Assert.True(_cache.IsReady);
        Assert.Equal(10, _cache.ResourceVersion);
        Assert.Equal(PodList, _cache.TypeInfo);
        Assert.Equal(2, _cache.Count);
        Assert.True(_cache.Bytes > a.SizeInBytes + b.SizeInBytes);
        var snapshot = _cache.Snapshot(out var resourceVersion);
        Assert.Equal(10, resourceVersion);
        Assert.Equal(["ns/a", "ns/b"], Keys(snapshot));
        Assert.Same(a, _cache.Get(new ObjectKey("ns", "a")));
        Assert.Null(_cache.Get(new ObjectKey("ns", "c")));
        Assert.Equal(0, _cache.HistoryCount);
        Assert.Equal(0, _cache.EventsApplied);
        var events = new List<WatchCacheEvent>();
        Assert.True(_cache.TryGetEventsSince(10, events));
        Assert.Empty(events);
        Assert.False(_cache.TryGetEventsSince(9, events));
        Assert.True(_cache.TrySnapshotAt(10, out var atList));
        Assert.Equal(["ns/a", "ns/b"], Keys(atList));
        await changed.WaitAsync(Guard);
    }

    [Fact]
    public void Apply_AddedModifiedDeleted_UpdatesTheStoreAndRecordsEventsWithPreviousStates()
    {
        var a5 = Pod("a", 5, node: "n1");
        Sink.Replace([a5], 10, PodList);
        var b11 = EventPod("b", 11, node: "n1");
        var a12 = EventPod("a", 12, node: "n2");
        var b13 = EventPod("b", 13, node: "n1");

        Sink.Apply(WatchEventType.Added, b11);
        Sink.Apply(WatchEventType.Modified, a12);
        Sink.Apply(WatchEventType.Deleted, b13);

        Assert.Equal(13, _cache.ResourceVersion);
        Assert.Equal(3, _cache.EventsApplied);
        Assert.Equal(3, _cache.HistoryCount);
        Assert.Equal(["ns/a"], Keys(_cache.Snapshot(out _)));
        Assert.Same(a12, _cache.Get(new ObjectKey("ns", "a")));
        Assert.Null(_cache.Get(new ObjectKey("ns", "b")));

        // Watch events come as {"kind":"Pod","apiVersion":"v1",...}; the store holds the list-item form.
        Assert.Equal(PodJson("a", 12, "n2", "", "ns", typeMeta: false, padding: 0), Encoding.UTF8.GetString(a12.Json));

        var events = new List<WatchCacheEvent>();
        Assert.True(_cache.TryGetEventsSince(10, events));
        Assert.Equal(
            [(WatchEventType.Added, "b", 11L), (WatchEventType.Modified, "a", 12L), (WatchEventType.Deleted, "b", 13L)],
            events.Select(e => (e.Type, e.Object.Name, e.ResourceVersion)));
        Assert.Null(events[0].Previous);
        Assert.Same(b11, events[0].Object);
        Assert.Same(a5, events[1].Previous);
        Assert.Same(a12, events[1].Object);
        Assert.Same(b11, events[2].Previous);
        Assert.Same(b13, events[2].Object);
        Assert.All(events, e => Assert.Equal(_clock.GetUtcNow(), e.Timestamp));

        events.Clear();
        Assert.True(_cache.TryGetEventsSince(12, events));
        Assert.Equal(WatchEventType.Deleted, Assert.Single(events).Type);

        // The node index follows the move from n1 to n2.
        Assert.Equal(["ns/a"], Keys(QueryNow("spec.nodeName=n2")));
        Assert.Empty(QueryNow("spec.nodeName=n1"));
    }

    [Fact]
    public void Apply_ModifiedForAnUnknownKey_IsRecordedAsAdded()
    {
        Sink.Replace([Pod("a", 5)], 10, PodList);

        Sink.Apply(WatchEventType.Modified, EventPod("x", 11));
        Sink.Apply(WatchEventType.Added, EventPod("a", 12));

        var events = new List<WatchCacheEvent>();
        Assert.True(_cache.TryGetEventsSince(10, events));
        Assert.Equal([(WatchEventType.Added, "x"), (WatchEventType.Modified, "a")], events.Select(e => (e.Type, e.Object.Name)));
        Assert.Null(events[0].Previous);
        Assert.Equal(5, events[1].Previous!.ResourceVersion);
        Assert.Equal(["ns/a", "ns/x"], Keys(_cache.Snapshot(out _)));
    }

    [Fact]
    public void Apply_StaleEvents_AreIgnored()
    {
        var a5 = Pod("a", 5);
        var b10 = Pod("b", 10);
        Sink.Replace([a5, b10], 10, PodList);

        Sink.Apply(WatchEventType.Modified, EventPod("a", 7));   // below the cache's RV
        Sink.Apply(WatchEventType.Modified, EventPod("b", 10));  // the list's own version of b
        Sink.Apply(WatchEventType.Added, EventPod("c", 12));
        Sink.Apply(WatchEventType.Added, EventPod("c", 12));     // a duplicate
        Sink.Apply(WatchEventType.Deleted, EventPod("a", 11));   // older than the last event
        Sink.Progress(15);
        Sink.Apply(WatchEventType.Modified, EventPod("a", 15));  // at a bookmark's RV, which includes every change up to it

        Assert.Equal(15, _cache.ResourceVersion);
        Assert.Equal(1, _cache.EventsApplied);
        Assert.Equal(1, _cache.HistoryCount);
        Assert.Same(a5, _cache.Get(new ObjectKey("ns", "a")));
        Assert.Same(b10, _cache.Get(new ObjectKey("ns", "b")));
        Assert.Equal(12, _cache.Get(new ObjectKey("ns", "c"))!.ResourceVersion);
    }

    [Fact]
    public void Apply_AtTheListRvForAnObjectTheListHasOlder_IsIgnoredAsTheListIncludesIt()
    {
        // A list at RV 10 holds every change up to 10; an event at 10 cannot be news, whatever it says.
        var a5 = Pod("a", 5);
        Sink.Replace([a5], 10, PodList);

        Sink.Apply(WatchEventType.Modified, EventPod("a", 10, node: "n9"));
        Sink.Apply(WatchEventType.Deleted, EventPod("a", 10));

        Assert.Same(a5, _cache.Get(new ObjectKey("ns", "a")));
        Assert.Equal(0, _cache.HistoryCount);
        Assert.Equal(10, _cache.ResourceVersion);
        Sink.Apply(WatchEventType.Modified, EventPod("a", 11, node: "n1"));
        Assert.Equal(11, _cache.Get(new ObjectKey("ns", "a"))!.ResourceVersion);
    }

    [Fact]
    public async Task Progress_Bookmarks_AdvanceTheRvAndWakeTheWaitersTheyReach()
    {
        Sink.Replace([], 10, PodList);
        var far = _cache.WaitUntilFreshAsync(15, TimeSpan.FromMinutes(1), CancellationToken.None).AsTask();
        var near = _cache.WaitUntilFreshAsync(12, TimeSpan.FromMinutes(1), CancellationToken.None).AsTask();
        Assert.False(far.IsCompleted);
        Assert.False(near.IsCompleted);

        Sink.Progress(12);

        Assert.True(await near.WaitAsync(Guard));
        Assert.False(far.IsCompleted);
        Assert.Equal(12, _cache.ResourceVersion);

        Sink.Progress(11);
        Assert.Equal(12, _cache.ResourceVersion);

        Sink.Progress(15);

        Assert.True(await far.WaitAsync(Guard));
        Assert.Equal(15, _cache.ResourceVersion);
        Assert.Equal(0, _cache.HistoryCount);
        Assert.Equal(0, _cache.EventsApplied);
    }

    [Fact]
    public async Task WaitUntilFreshAsync_NeverReached_TimesOutOnTheClock()
    {
        Sink.Replace([], 10, PodList);
        var wait = _cache.WaitUntilFreshAsync(20, TimeSpan.FromSeconds(5), CancellationToken.None).AsTask();

        _clock.Advance(TimeSpan.FromSeconds(4));
        Sink.Progress(19);
        Assert.False(wait.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.False(await wait.WaitAsync(Guard));
        Assert.Equal(19, _cache.ResourceVersion);
    }

    [Fact]
    public async Task WaitUntilFreshAsync_AlreadyFresh_CompletesAtOnce()
    {
        Sink.Replace([Pod("a", 3)], 10, PodList);

        var atVersion = _cache.WaitUntilFreshAsync(10, TimeSpan.FromSeconds(5), CancellationToken.None);
        var older = _cache.WaitUntilFreshAsync(4, TimeSpan.Zero, CancellationToken.None);
        var newerCheckOnly = _cache.WaitUntilFreshAsync(11, TimeSpan.Zero, CancellationToken.None);

        Assert.True(atVersion.IsCompletedSuccessfully);
        Assert.True(older.IsCompletedSuccessfully);
        Assert.True(newerCheckOnly.IsCompletedSuccessfully);
        Assert.True(await atVersion);
        Assert.True(await older);
        Assert.False(await newerCheckOnly);
    }

    [Fact]
    public async Task NextChangeAsync_EventsAndBookmarks_CompleteIt()
    {
        Sink.Replace([], 10, PodList);
        var beforeEvent = _cache.NextChangeAsync(CancellationToken.None);
        var fresh = _cache.WaitUntilFreshAsync(11, TimeSpan.FromMinutes(1), CancellationToken.None).AsTask();
        Assert.False(beforeEvent.IsCompleted);

        Sink.Apply(WatchEventType.Added, EventPod("a", 11));

        await beforeEvent.WaitAsync(Guard);
        Assert.True(await fresh.WaitAsync(Guard));
        var beforeBookmark = _cache.NextChangeAsync(CancellationToken.None);
        Assert.False(beforeBookmark.IsCompleted);

        Sink.Progress(20);

        await beforeBookmark.WaitAsync(Guard);
        using var cancelled = new CancellationTokenSource();
        var abandoned = _cache.NextChangeAsync(cancelled.Token);
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(Guard));
    }

    [Theory]
    [InlineData(nameof(RelistReason.Expired))]
    [InlineData(nameof(RelistReason.DecodeError))]
    [InlineData(nameof(RelistReason.ListFailed))]
    public void RelistStarting_AfterTheFirstList_NotReadyUntilTheNextReplace(string reason)
    {
        Sink.Replace([Pod("a", 5)], 10, PodList);

        Sink.RelistStarting(Enum.Parse<RelistReason>(reason));

        Assert.False(_cache.IsReady);
        Assert.Equal(10, _cache.ResourceVersion);
        Assert.Equal(1, _cache.Count);

        Sink.Replace([Pod("a", 5), Pod("b", 12)], 15, PodList);

        Assert.True(_cache.IsReady);
        Assert.Equal(15, _cache.ResourceVersion);
        Assert.Equal(2, _cache.Count);
    }

    [Fact]
    public void RelistStarting_Initial_BeforeAnyList_LeavesTheCacheNotReady()
    {
        Sink.RelistStarting(RelistReason.Initial);

        Assert.False(_cache.IsReady);
        Sink.Replace([], 7, PodList);
        Assert.True(_cache.IsReady);
    }

    [Fact]
    public void Replace_LaterListEmpty_KeepsWhetherItemsCarryTypeMeta()
    {
        Sink.Replace([Pod("a", 5)], 10, PodList);

        Sink.Replace([], 12, new ListTypeInfo("PodList", "v1", null));

        Assert.Equal(PodList, _cache.TypeInfo);
        Assert.Equal("Pod", _cache.TypeInfo!.Kind);
        Assert.Equal(0, _cache.Count);
    }

    [Fact]
    public void Replace_FirstListEmpty_LeavesItemsCarryTypeMetaUnknownUntilAListTells()
    {
        Sink.Replace([], 10, new ListTypeInfo("PodList", "v1", null));
        Assert.Null(_cache.TypeInfo!.ItemsCarryTypeMeta);

        Sink.Replace([Pod("a", 11)], 12, PodList);

        Assert.Equal(PodList, _cache.TypeInfo);
    }

    [Fact]
    public void TryGetEventsSince_EventsOlderThanTheWindow_AreNoLongerServed()
    {
        Sink.Replace([], 10, PodList);
        Sink.Apply(WatchEventType.Added, EventPod("a", 11));
        _clock.Advance(TimeSpan.FromMinutes(3));
        Sink.Apply(WatchEventType.Added, EventPod("b", 12));
        var events = new List<WatchCacheEvent>();

        _clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));

        Assert.False(_cache.TryGetEventsSince(10, events));
        Assert.False(_cache.TrySnapshotAt(10, out _));
        Assert.True(_cache.TryGetEventsSince(11, events));
        Assert.Equal("b", Assert.Single(events).Object.Name);
        Assert.True(_cache.TrySnapshotAt(11, out var at11));
        Assert.Equal(["ns/a"], Keys(at11));
    }

    /// <summary>The pods' definition as the resolver builds it, with a 5-minute window and <paramref name="maxBytes"/>.</summary>
    private static CachedResourceDefinition PodsDefinition(long maxBytes) => Watch.WatchTestPods.Definition(historyMaxEvents: 1000, maxBytes);

    /// <summary>The JSON of a pod in list-item form (or, with <paramref name="typeMeta"/>, as a watch event carries it).</summary>
    private static string PodJson(string name, long resourceVersion, string node, string app, string ns, bool typeMeta, int padding)
    {
        var labels = app.Length == 0 ? "" : ",\"labels\":{\"app\":\"" + app + "\"}";
        var annotations = padding == 0 ? "" : ",\"annotations\":{\"pad\":\"" + new string('x', padding) + "\"}";
        var nodeName = node.Length == 0 ? "" : "\"nodeName\":\"" + node + "\",";
        return (typeMeta ? "{\"kind\":\"Pod\",\"apiVersion\":\"v1\"," : "{")
            + "\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns + "\",\"uid\":\"uid-" + ns + "-" + name
            + "\",\"resourceVersion\":\"" + resourceVersion + "\"" + labels + annotations + "},"
            + "\"spec\":{" + nodeName + "\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1.27.3\"}]},\"status\":{\"phase\":\"Pending\"}}";
    }

    private static string[] Keys(IEnumerable<CachedObject> objects) => [.. objects.Select(o => o.Key.ToString())];

    private WatchCache NewCache(long maxBytes = long.MaxValue)
    {
        var cache = new WatchCache(PodsDefinition(maxBytes), _clock, NullLogger<WatchCache>.Instance);
        _caches.Add(cache);
        return cache;
    }

    /// <summary>A pod as a list item carries it.</summary>
    private CachedObject Pod(string name, long resourceVersion, string node = "", string app = "", string ns = "ns", int padding = 0) =>
        Decode(PodJson(name, resourceVersion, node, app, ns, typeMeta: false, padding));

    /// <summary>A pod as a watch event carries it (leading kind and apiVersion).</summary>
    private CachedObject EventPod(string name, long resourceVersion, string node = "", string app = "", string ns = "ns", int padding = 0) =>
        Decode(PodJson(name, resourceVersion, node, app, ns, typeMeta: true, padding));

    private CachedObject Decode(string json)
    {
        Assert.True(_decoder.TryDecode(Encoding.UTF8.GetBytes(json), out var cachedObject, out var error), error);
        return cachedObject;
    }

    private List<CachedObject> QueryNow(string fieldSelector)
    {
        var results = new List<CachedObject>();
        _cache.Query(new StoreQuery { FieldSelector = FieldSelector.Parse(fieldSelector) }, results, out _);
        return results;
    }
}
