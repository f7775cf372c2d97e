using System.Text;
using ApiCache.DevServer.Storage;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Storage;

/// <summary>
/// What the in-memory store adds to the contract: its starting revision, the automatic history
/// window, watchers overtaken by compaction, progress timing, disposal, and batch rules.
/// </summary>
public sealed class InMemoryRevisionedStoreTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task NewStore_Revision_IsOneUntilTheFirstWriteWhichGetsTwo()
    {
        await using var store = new InMemoryRevisionedStore();

        Assert.Equal(1, await store.GetRevisionAsync(Ct));
        Assert.Equal(0, await store.GetCompactedRevisionAsync(Ct));
        var empty = await store.RangeAsync(new StoreRangeRequest(""), Ct);
        Assert.Equal((1L, 0L), (empty.Revision, empty.Count));
        var created = await store.CreateAsync("/a", Bytes("v"), Ct);
        Assert.Equal(2, created.Revision);
        Assert.Empty((await store.RangeAsync(new StoreRangeRequest("") { Revision = 1 }, Ct)).Items);
    }

    [Fact]
    public async Task Writes_BeyondHistoryWindow_CompactSoThatTheWindowStaysReadable()
    {
        await using var store = new InMemoryRevisionedStore(new InMemoryStoreOptions { HistoryWindow = 5 });

        await CreateKeysAsync(store, "/items/", 10);

        Assert.Equal(11, await store.GetRevisionAsync(Ct));
        Assert.Equal(7, await store.GetCompactedRevisionAsync(Ct));
        await Assert.ThrowsAsync<StoreRevisionCompactedException>(() => store.RangeAsync(new StoreRangeRequest("/items/") { Revision = 6 }, Ct).AsTask());
        Assert.Equal(6, (await store.RangeAsync(new StoreRangeRequest("/items/") { Revision = 7 }, Ct)).Count);
        await using var tooOld = new StoreWatchReader(store, "/items/", 5);
        await Assert.ThrowsAsync<StoreRevisionCompactedException>(tooOld.MoveNextAsync);
        await using var oldest = new StoreWatchReader(store, "/items/", 6);
        Assert.Equal([7L, 8L, 9L, 10L, 11L], (await oldest.NextChangesAsync(5)).Select(change => change.Revision));
    }

    [Fact]
    public async Task WatchAsync_ReaderOvertakenByCompaction_ThrowsCompactedMidStream()
    {
        await using var store = new InMemoryRevisionedStore(new InMemoryStoreOptions { HistoryWindow = 5 });
        await using var watch = new StoreWatchReader(store, "/items/", 1);
        await store.CreateAsync("/items/first", Bytes("v"), Ct);
        Assert.Equal(2, (await watch.NextChangeAsync()).Revision);

        await CreateKeysAsync(store, "/items/", 10);

        var error = await Assert.ThrowsAsync<StoreRevisionCompactedException>(watch.MoveNextAsync);
        Assert.Equal(3, error.RequestedRevision);
        Assert.Equal(8, error.CompactedRevision);
    }

    [Fact]
    public async Task WatchAsync_CaughtUpReaderAcrossManyCompactions_MissesNothing()
    {
        await using var store = new InMemoryRevisionedStore(new InMemoryStoreOptions { HistoryWindow = 2 });
        await using var watch = new StoreWatchReader(store, "/items/", 1);

        var delivered = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            await store.CreateAsync($"/items/k{i:D2}", Bytes("v"), Ct);
            delivered.Add((await watch.NextChangeAsync()).Revision);
        }

        Assert.Equal(Enumerable.Range(2, 20).Select(revision => (long)revision), delivered);
        Assert.Equal(20, await store.GetCompactedRevisionAsync(Ct));
    }

    [Fact]
    public async Task WatchAsync_Progress_AtMostOncePerIntervalAndOnlyWhenTheRevisionMoved()
    {
        var time = new FakeClock();
        await using var store = new InMemoryRevisionedStore(new InMemoryStoreOptions { ProgressInterval = TimeSpan.FromSeconds(1), TimeProvider = time });
        await using var watch = new StoreWatchReader(store, "/quiet/", 1);

        await store.CreateAsync("/busy/a", Bytes("v"), Ct);
        var waiting = watch.NextAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        var first = await waiting;
        Assert.Equal((StoreEventType.Progress, 2L), (first.Type, first.Revision));

        // Within the interval: no progress for another unrelated write, so the next event is the change.
        await store.CreateAsync("/busy/b", Bytes("v"), Ct);
        await store.CreateAsync("/quiet/a", Bytes("v"), Ct);
        var quiet = await watch.NextAsync();
        Assert.Equal((StoreEventType.Put, 4L), (quiet.Type, quiet.Revision));

        // Intervals pass, but the revision the watch reported is still the store's: nothing to say.
        time.Advance(TimeSpan.FromSeconds(5));
        await store.CreateAsync("/quiet/b", Bytes("v"), Ct);
        var change = await watch.NextAsync();
        Assert.Equal((StoreEventType.Put, 5L), (change.Type, change.Revision));

        // Long since the last progress, an unrelated write is reported at once.
        await store.CreateAsync("/busy/c", Bytes("v"), Ct);
        var progress = await watch.NextAsync();
        Assert.Equal((StoreEventType.Progress, 6L), (progress.Type, progress.Revision));
    }

    [Fact]
    public async Task DisposeAsync_OpenWatch_EndsTheEnumeration()
    {
        var store = new InMemoryRevisionedStore();
        await using var watch = new StoreWatchReader(store, "/items/", 1);
        var waiting = watch.MoveNextAsync();

        await store.DisposeAsync();

        Assert.False(await waiting);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetRevisionAsync(Ct).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.CreateAsync("/a", Bytes("v"), Ct).AsTask());
    }

    [Fact]
    public async Task CompactAsync_FutureRevision_Throws()
    {
        await using var store = new InMemoryRevisionedStore();
        await store.CreateAsync("/a", Bytes("v"), Ct);

        var error = await Assert.ThrowsAsync<StoreFutureRevisionException>(() => store.CompactAsync(3, Ct).AsTask());

        Assert.Equal((3L, 2L), (error.RequestedRevision, error.CurrentRevision));
        Assert.Equal(0, await store.GetCompactedRevisionAsync(Ct));
    }

    [Fact]
    public async Task CompactAsync_AtOrBelowCompactedRevision_DoesNothing()
    {
        await using var store = new InMemoryRevisionedStore();
        await CreateKeysAsync(store, "/items/", 4);
        await store.CompactAsync(4, Ct);

        await store.CompactAsync(4, Ct);
        await store.CompactAsync(2, Ct);

        Assert.Equal(4, await store.GetCompactedRevisionAsync(Ct));
        Assert.Equal(3, (await store.RangeAsync(new StoreRangeRequest("/items/") { Revision = 4 }, Ct)).Count);
    }

    [Fact]
    public async Task CreateManyAsync_OneCall_WritesEveryItemAtOneRevision()
    {
        await using var store = new InMemoryRevisionedStore();

        var revision = await store.CreateManyAsync([KeyValuePair.Create("/a", Bytes("1")), KeyValuePair.Create("/b", Bytes("2"))], Ct);

        Assert.Equal(2, revision);
        var range = await store.RangeAsync(new StoreRangeRequest("/"), Ct);
        Assert.All(range.Items, item => Assert.Equal((2L, 2L), (item.CreateRevision, item.ModRevision)));
        Assert.Equal(2, range.Count);
        Assert.Equal(2, await store.CreateManyAsync([], Ct));
    }

    [Fact]
    public async Task CreateManyAsync_KeyGivenTwice_ThrowsAndWritesNothing()
    {
        await using var store = new InMemoryRevisionedStore();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            store.CreateManyAsync([KeyValuePair.Create("/a", Bytes("1")), KeyValuePair.Create("/b", Bytes("2")), KeyValuePair.Create("/a", Bytes("3"))], Ct).AsTask());

        Assert.Equal(1, await store.GetRevisionAsync(Ct));
        Assert.Empty((await store.RangeAsync(new StoreRangeRequest("/"), Ct)).Items);
    }

    [Fact]
    public async Task RangeAsync_ManySeededKeys_PagesThroughOnePrefixOnly()
    {
        await using var store = new InMemoryRevisionedStore();
        await store.CreateManyAsync(Enumerable.Range(0, 20_000).Select(i => KeyValuePair.Create($"/registry/pods/ns/p{i:D5}", Bytes("v"))).ToList(), Ct);
        await store.CreateManyAsync(Enumerable.Range(0, 20_000).Select(i => KeyValuePair.Create($"/registry/podsecurity/ns/p{i:D5}", Bytes("v"))).ToList(), Ct);

        var keys = new List<string>();
        string? startKey = null;
        for (var page = 0; page < 100; page++)
        {
            var range = await store.RangeAsync(new StoreRangeRequest("/registry/pods/") { StartKey = startKey, Limit = 5000, Revision = 2 }, Ct);
            Assert.Equal(20_000 - keys.Count, range.Count);
            keys.AddRange(range.Items.Select(item => item.Key));
            if (!range.More)
            {
                break;
            }

            startKey = range.Items[^1].Key + "\0";
        }

        Assert.Equal(Enumerable.Range(0, 20_000).Select(i => $"/registry/pods/ns/p{i:D5}"), keys);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static async Task CreateKeysAsync(InMemoryRevisionedStore store, string folder, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True((await store.CreateAsync($"{folder}k{i:D2}", Bytes($"v{i}"), Ct)).Succeeded);
        }
    }
}
