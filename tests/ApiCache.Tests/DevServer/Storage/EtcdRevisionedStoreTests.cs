using System.Text;
using ApiCache.DevServer.Etcd;
using ApiCache.DevServer.Storage;
using ApiCache.Tests.DevServer.Etcd;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Storage;

/// <summary>The etcd-backed revisioned store against a real etcd, shared with other classes under per-test key prefixes.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class EtcdRevisionedStoreTests : IAsyncLifetime
{
    /// <summary>Failure guard for waits on etcd (watch events, progress notifications).</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private const string Pods = "/registry/pods/";

    private readonly EtcdFixture _etcd;
    private readonly EtcdRevisionedStore _store;

    public EtcdRevisionedStoreTests(EtcdFixture etcd)
    {
        _etcd = etcd;
        _store = etcd.CreateStore();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task CreateAsync_NewKey_SucceedsAtNewRevision()
    {
        var before = await _store.GetRevisionAsync(CancellationToken.None);

        var result = await _store.CreateAsync(Pods + "a/web-0", V("web-0"), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.True(result.Revision > before);
        Assert.Equal(new StoreKeyValue(Pods + "a/web-0", V("web-0"), result.Revision, result.Revision), result.KeyValue, KeyValueComparer.Instance);
        Assert.Equal(result.Revision, await _store.GetRevisionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CreateAsync_ExistingKey_FailsWithCurrentValue()
    {
        var first = await _store.CreateAsync(Pods + "a/web-0", V("first"), CancellationToken.None);

        var second = await _store.CreateAsync(Pods + "a/web-0", V("second"), CancellationToken.None);

        Assert.False(second.Succeeded);
        Assert.Equal(first.Revision, second.Revision);
        Assert.Equal(first.KeyValue, second.KeyValue, KeyValueComparer.Instance);
    }

    [Fact]
    public async Task UpdateAsync_ExpectedRevision_ReplacesValueKeepingCreateRevision()
    {
        var created = await _store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);

        var updated = await _store.UpdateAsync(Pods + "a/web-0", V("v2"), created.Revision, CancellationToken.None);

        Assert.True(updated.Succeeded);
        Assert.True(updated.Revision > created.Revision);
        Assert.Equal(new StoreKeyValue(Pods + "a/web-0", V("v2"), created.Revision, updated.Revision), updated.KeyValue, KeyValueComparer.Instance);
    }

    [Fact]
    public async Task UpdateAsync_StaleRevision_FailsWithCurrentValue()
    {
        var created = await _store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);
        var updated = await _store.UpdateAsync(Pods + "a/web-0", V("v2"), created.Revision, CancellationToken.None);

        var stale = await _store.UpdateAsync(Pods + "a/web-0", V("v3"), created.Revision, CancellationToken.None);

        Assert.False(stale.Succeeded);
        Assert.Equal(updated.Revision, stale.Revision);
        Assert.Equal(updated.KeyValue, stale.KeyValue, KeyValueComparer.Instance);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(5L)]
    public async Task UpdateAsync_MissingKey_FailsWithoutValue(long expectedModRevision)
    {
        var result = await _store.UpdateAsync(Pods + "a/missing", V("v"), expectedModRevision, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Null(result.KeyValue);
        Assert.Empty((await _store.RangeAsync(new StoreRangeRequest(Pods + "a/missing") { SingleKey = true }, CancellationToken.None)).Items);
    }

    [Fact]
    public async Task DeleteAsync_ExistingKey_ReturnsDeletedValue()
    {
        var created = await _store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);

        var deleted = await _store.DeleteAsync(Pods + "a/web-0", null, CancellationToken.None);

        Assert.True(deleted.Succeeded);
        Assert.True(deleted.Revision > created.Revision);
        Assert.Equal(created.KeyValue, deleted.KeyValue, KeyValueComparer.Instance);
        Assert.Empty((await _store.RangeAsync(new StoreRangeRequest(Pods + "a/web-0") { SingleKey = true }, CancellationToken.None)).Items);
    }

    [Fact]
    public async Task DeleteAsync_MissingKey_FailsWithoutValue()
    {
        var result = await _store.DeleteAsync(Pods + "a/missing", null, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Null(result.KeyValue);
    }

    [Fact]
    public async Task DeleteAsync_MissingKeyWithExpectedRevision_FailsWithoutValue()
    {
        var result = await _store.DeleteAsync(Pods + "a/missing", 3, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Null(result.KeyValue);
    }

    [Fact]
    public async Task DeleteAsync_StaleExpectedRevision_FailsWithCurrentValueAndKeepsKey()
    {
        var created = await _store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);
        var updated = await _store.UpdateAsync(Pods + "a/web-0", V("v2"), created.Revision, CancellationToken.None);

        var result = await _store.DeleteAsync(Pods + "a/web-0", created.Revision, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(updated.KeyValue, result.KeyValue, KeyValueComparer.Instance);
        Assert.Single((await _store.RangeAsync(new StoreRangeRequest(Pods + "a/web-0") { SingleKey = true }, CancellationToken.None)).Items);
    }

    [Fact]
    public async Task DeleteAsync_MatchingExpectedRevision_Deletes()
    {
        var created = await _store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);

        var result = await _store.DeleteAsync(Pods + "a/web-0", created.Revision, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(created.KeyValue, result.KeyValue, KeyValueComparer.Instance);
    }

    [Fact]
    public async Task RangeAsync_Limited_ReturnsFirstKeysCountsWholeRangeAndSaysMore()
    {
        await SeedAsync("a/web-2", "a/web-0", "a/web-1", "b/db-0");

        var range = await _store.RangeAsync(new StoreRangeRequest(Pods + "a/") { Limit = 2 }, CancellationToken.None);

        Assert.Equal([Pods + "a/web-0", Pods + "a/web-1"], range.Items.Select(i => i.Key));
        Assert.True(range.More);
        Assert.Equal(3, range.Count);
        Assert.Equal(await _store.GetRevisionAsync(CancellationToken.None), range.Revision);
    }

    [Fact]
    public async Task RangeAsync_StartKey_ReadsAndCountsFromThere()
    {
        await SeedAsync("a/web-0", "a/web-1", "a/web-2", "a/web-3");

        var range = await _store.RangeAsync(new StoreRangeRequest(Pods + "a/") { StartKey = Pods + "a/web-1", Limit = 2 }, CancellationToken.None);

        Assert.Equal([Pods + "a/web-1", Pods + "a/web-2"], range.Items.Select(i => i.Key));
        Assert.True(range.More);
        Assert.Equal(3, range.Count);
    }

    [Fact]
    public async Task RangeAsync_LastPage_SaysNoMore()
    {
        await SeedAsync("a/web-0", "a/web-1", "a/web-2");

        var range = await _store.RangeAsync(new StoreRangeRequest(Pods + "a/") { StartKey = Pods + "a/web-1", Limit = 2 }, CancellationToken.None);

        Assert.Equal([Pods + "a/web-1", Pods + "a/web-2"], range.Items.Select(i => i.Key));
        Assert.False(range.More);
        Assert.Equal(2, range.Count);
    }

    [Fact]
    public async Task RangeAsync_StartKeyAfterThePrefix_ReturnsNothing()
    {
        await SeedAsync("a/web-0", "b/db-0");

        var range = await _store.RangeAsync(new StoreRangeRequest(Pods + "a/") { StartKey = Pods + "b/" }, CancellationToken.None);

        Assert.Empty(range.Items);
        Assert.False(range.More);
        Assert.Equal(0, range.Count);
    }

    [Fact]
    public async Task RangeAsync_SingleKey_ReadsOnlyThatKey()
    {
        await SeedAsync("a/web", "a/web-0", "a/wea");

        var range = await _store.RangeAsync(new StoreRangeRequest(Pods + "a/web") { SingleKey = true }, CancellationToken.None);

        var item = Assert.Single(range.Items);
        Assert.Equal(Pods + "a/web", item.Key);
        Assert.Equal(V("a/web"), item.Value);
        Assert.Equal(1, range.Count);
    }

    [Fact]
    public async Task RangeAsync_EmptyPrefix_ReadsEveryKeyOfTheStore()
    {
        await SeedAsync("a/web-0", "b/db-0");
        await _store.CreateAsync("/registry/services/a/svc", V("svc"), CancellationToken.None);

        var range = await _store.RangeAsync(new StoreRangeRequest(""), CancellationToken.None);

        Assert.Equal([Pods + "a/web-0", Pods + "b/db-0", "/registry/services/a/svc"], range.Items.Select(i => i.Key));
    }

    [Fact]
    public async Task RangeAsync_PastRevision_ReadsThenValuesAtThatRevision()
    {
        var created = await _store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);
        await _store.UpdateAsync(Pods + "a/web-0", V("v2"), created.Revision, CancellationToken.None);
        await _store.CreateAsync(Pods + "a/web-1", V("later"), CancellationToken.None);

        var range = await _store.RangeAsync(new StoreRangeRequest(Pods) { Revision = created.Revision }, CancellationToken.None);

        Assert.Equal(created.Revision, range.Revision);
        Assert.Equal(created.KeyValue, Assert.Single(range.Items), KeyValueComparer.Instance);
    }

    [Fact]
    public async Task RangeAsync_CompactedRevision_ThrowsWithCompactedRevision()
    {
        var created = await _store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);
        var updated = await _store.UpdateAsync(Pods + "a/web-0", V("v2"), created.Revision, CancellationToken.None);
        await _store.CompactAsync(updated.Revision, CancellationToken.None);

        var error = await Assert.ThrowsAsync<StoreRevisionCompactedException>(
            async () => await _store.RangeAsync(new StoreRangeRequest(Pods) { Revision = created.Revision }, CancellationToken.None));

        Assert.Equal(created.Revision, error.RequestedRevision);
        Assert.Equal(updated.Revision, error.CompactedRevision);
    }

    [Fact]
    public async Task RangeAsync_FutureRevision_ThrowsWithCurrentRevision()
    {
        var created = await _store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<StoreFutureRevisionException>(
            async () => await _store.RangeAsync(new StoreRangeRequest(Pods) { Revision = created.Revision + 1000 }, CancellationToken.None));

        Assert.Equal(created.Revision + 1000, error.RequestedRevision);
        Assert.True(error.CurrentRevision >= created.Revision, $"current {error.CurrentRevision}");
    }

    [Fact]
    public async Task CreateManyAsync_MoreItemsThanOneTransaction_WritesEveryItem()
    {
        var items = Enumerable.Range(0, 300).Select(i => KeyValuePair.Create($"{Pods}a/pod-{i:000}", V($"pod-{i}"))).ToList();

        var revision = await _store.CreateManyAsync(items, CancellationToken.None);

        var range = await _store.RangeAsync(new StoreRangeRequest(Pods), CancellationToken.None);
        Assert.Equal(300, range.Count);
        Assert.Equal(items.Select(i => i.Key), range.Items.Select(i => i.Key));
        Assert.Equal(V("pod-299"), range.Items[^1].Value);
        Assert.Equal(revision, range.Revision);

        // 300 puts need three transactions of at most 128: three revisions.
        Assert.Equal(3, range.Items.Select(i => i.ModRevision).Distinct().Count());
    }

    [Fact]
    public async Task CreateManyAsync_ExistingAndRepeatedKeys_LastValueWins()
    {
        await _store.CreateAsync(Pods + "a/web-0", V("old"), CancellationToken.None);

        await _store.CreateManyAsync(
            [KeyValuePair.Create(Pods + "a/web-0", V("new")), KeyValuePair.Create(Pods + "a/web-1", V("one")), KeyValuePair.Create(Pods + "a/web-1", V("two"))],
            CancellationToken.None);

        var range = await _store.RangeAsync(new StoreRangeRequest(Pods), CancellationToken.None);
        Assert.Equal([V("new"), V("two")], range.Items.Select(i => i.Value));
    }

    [Fact]
    public async Task CreateManyAsync_NoItems_ReturnsCurrentRevision()
    {
        var revision = await _store.CreateManyAsync([], CancellationToken.None);

        Assert.Equal(await _store.GetRevisionAsync(CancellationToken.None), revision);
    }

    [Fact]
    public async Task KeyPrefix_SameKeyInTwoStores_IsKeptApartAndStoredUnderThePrefix()
    {
        var otherPrefix = EtcdFixture.NewKeyPrefix();
        await using var other = _etcd.CreateStore(otherPrefix);
        await _store.CreateAsync(Pods + "a/web-0", V("mine"), CancellationToken.None);

        var created = await other.CreateAsync(Pods + "a/web-0", V("theirs"), CancellationToken.None);

        Assert.True(created.Succeeded);
        Assert.Equal(V("mine"), Assert.Single((await _store.RangeAsync(new StoreRangeRequest(Pods), CancellationToken.None)).Items).Value);
        using var client = _etcd.CreateClient();
        var raw = await client.RangeAsync(new EtcdRangeRequest { Key = Encoding.UTF8.GetBytes(otherPrefix + Pods + "a/web-0") }, CancellationToken.None);
        Assert.Equal(V("theirs"), Assert.Single(raw.Kvs).Value);
    }

    [Fact]
    public async Task WatchAsync_AfterPastRevision_ReplaysChangesThenDeliversLiveOnes()
    {
        var created = await _store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);
        var updated = await _store.UpdateAsync(Pods + "a/web-0", V("v2"), created.Revision, CancellationToken.None);
        var deleted = await _store.DeleteAsync(Pods + "a/web-0", null, CancellationToken.None);
        await _store.CreateAsync("/registry/services/a/svc", V("not watched"), CancellationToken.None);
        using var guard = new CancellationTokenSource(Guard);
        await using var watch = _store.WatchAsync(Pods, created.Revision - 1, guard.Token).GetAsyncEnumerator(guard.Token);

        var replayed = await NextChangesAsync(watch, 3);
        var live = await _store.CreateAsync(Pods + "b/db-0", V("db"), CancellationToken.None);
        var next = Assert.Single(await NextChangesAsync(watch, 1));

        Assert.Equal([StoreEventType.Put, StoreEventType.Put, StoreEventType.Delete], replayed.Select(e => e.Type));
        Assert.Equal([created.Revision, updated.Revision, deleted.Revision], replayed.Select(e => e.Revision));
        Assert.Equal(created.KeyValue, replayed[0].KeyValue, KeyValueComparer.Instance);
        Assert.Null(replayed[0].PreviousKeyValue);
        Assert.Equal(updated.KeyValue, replayed[1].KeyValue, KeyValueComparer.Instance);
        Assert.Equal(created.KeyValue, replayed[1].PreviousKeyValue, KeyValueComparer.Instance);
        Assert.Equal(Pods + "a/web-0", replayed[2].KeyValue?.Key);
        Assert.Empty(replayed[2].KeyValue!.Value);
        Assert.Equal(deleted.Revision, replayed[2].KeyValue!.ModRevision);
        Assert.Equal(updated.KeyValue, replayed[2].PreviousKeyValue, KeyValueComparer.Instance);
        Assert.Equal(StoreEventType.Put, next.Type);
        Assert.Equal(live.KeyValue, next.KeyValue, KeyValueComparer.Instance);
    }

    [Fact]
    public async Task WatchAsync_AfterLatestRevision_DeliversNothingOlder()
    {
        var created = await _store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);
        using var guard = new CancellationTokenSource(Guard);
        await using var watch = _store.WatchAsync(Pods, created.Revision, guard.Token).GetAsyncEnumerator(guard.Token);

        var updated = await _store.UpdateAsync(Pods + "a/web-0", V("v2"), created.Revision, CancellationToken.None);
        var first = Assert.Single(await NextChangesAsync(watch, 1));

        Assert.Equal(updated.Revision, first.Revision);
    }

    [Fact]
    public async Task WatchAsync_Idle_SendsProgressAtOrAfterLastChange()
    {
        var created = await _store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);
        using var guard = new CancellationTokenSource(Guard);
        await using var watch = _store.WatchAsync(Pods, created.Revision - 1, guard.Token).GetAsyncEnumerator(guard.Token);

        var change = Assert.Single(await NextChangesAsync(watch, 1));
        Assert.True(await watch.MoveNextAsync());

        Assert.Equal(StoreEventType.Progress, watch.Current.Type);
        Assert.True(watch.Current.Revision >= change.Revision, $"progress at {watch.Current.Revision}, change at {change.Revision}");
        Assert.Null(watch.Current.KeyValue);
        Assert.Null(watch.Current.PreviousKeyValue);
    }

    [Fact]
    public async Task WatchAsync_Cancelled_ThrowsOperationCanceled()
    {
        var created = await _store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        await using var watch = _store.WatchAsync(Pods, created.Revision - 1, cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.Single(await NextChangesAsync(watch, 1));

        var next = watch.MoveNextAsync().AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Guard));
    }

    [Fact]
    public async Task WatchAsync_CompactedRevision_ThrowsOnFirstMoveNext()
    {
        var created = await _store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);
        var updated = await _store.UpdateAsync(Pods + "a/web-0", V("v2"), created.Revision, CancellationToken.None);
        await _store.CompactAsync(updated.Revision, CancellationToken.None);
        using var guard = new CancellationTokenSource(Guard);
        await using var watch = _store.WatchAsync(Pods, created.Revision - 1, guard.Token).GetAsyncEnumerator(guard.Token);

        var error = await Assert.ThrowsAsync<StoreRevisionCompactedException>(async () => await watch.MoveNextAsync());

        Assert.Equal(created.Revision - 1, error.RequestedRevision);
        Assert.Equal(updated.Revision, error.CompactedRevision);
    }

    [Fact]
    public async Task WatchAsync_FromCompactedRevision_Succeeds()
    {
        var created = await _store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);
        var updated = await _store.UpdateAsync(Pods + "a/web-0", V("v2"), created.Revision, CancellationToken.None);
        await _store.CompactAsync(updated.Revision, CancellationToken.None);
        using var guard = new CancellationTokenSource(Guard);
        await using var watch = _store.WatchAsync(Pods, updated.Revision - 1, guard.Token).GetAsyncEnumerator(guard.Token);

        var change = Assert.Single(await NextChangesAsync(watch, 1));

        Assert.Equal(updated.Revision, change.Revision);
    }

    [Fact]
    public async Task GetCompactedRevisionAsync_AfterCompactionByAnotherStore_ReturnsIt()
    {
        var created = await _store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);
        await _store.CompactAsync(created.Revision, CancellationToken.None);
        await using var other = _etcd.CreateStore();

        Assert.Equal(created.Revision, await _store.GetCompactedRevisionAsync(CancellationToken.None));
        Assert.Equal(created.Revision, await other.GetCompactedRevisionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task GetCompactedRevisionAsync_FreshEtcd_ReturnsZero()
    {
        // Its own etcd: the shared one may have been compacted by other tests.
        var server = await EtcdServer.StartAsync();
        try
        {
            await using var store = new EtcdRevisionedStore(server.ClientUrl);
            await store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);

            Assert.Equal(0, await store.GetCompactedRevisionAsync(CancellationToken.None));
        }
        finally
        {
            await server.DisposeAsync();
        }

        Assert.False(server.IsRunning);
        Assert.False(Directory.Exists(server.DataDirectory));
    }

    [Fact]
    public async Task CompactAsync_AlreadyCompactedRevision_ThrowsCompacted()
    {
        var created = await _store.CreateAsync(Pods + "a/web-0", V("v1"), CancellationToken.None);
        await _store.CompactAsync(created.Revision, CancellationToken.None);

        var error = await Assert.ThrowsAsync<StoreRevisionCompactedException>(
            async () => await _store.CompactAsync(created.Revision, CancellationToken.None));

        Assert.Equal(created.Revision, error.CompactedRevision);
    }

    [Fact]
    public async Task CompactAsync_FutureRevision_ThrowsFuture()
    {
        var current = await _store.GetRevisionAsync(CancellationToken.None);

        var error = await Assert.ThrowsAsync<StoreFutureRevisionException>(
            async () => await _store.CompactAsync(current + 1000, CancellationToken.None));

        Assert.Equal(current + 1000, error.RequestedRevision);
    }

    [Fact]
    public async Task Operations_NothingListening_ThrowStoreUnavailable()
    {
        await using var store = new EtcdRevisionedStore(new Uri($"http://127.0.0.1:{EtcdClientTests.ClosedPort()}/"));
        using var guard = new CancellationTokenSource(Guard);

        await Assert.ThrowsAsync<StoreUnavailableException>(async () => await store.GetRevisionAsync(guard.Token));
        await Assert.ThrowsAsync<StoreUnavailableException>(async () => await store.RangeAsync(new StoreRangeRequest(Pods), guard.Token));
        await Assert.ThrowsAsync<StoreUnavailableException>(async () => await store.CreateAsync(Pods + "a/b", V("v"), guard.Token));
        await Assert.ThrowsAsync<StoreUnavailableException>(
            async () => await store.WatchAsync(Pods, 0, guard.Token).GetAsyncEnumerator(guard.Token).MoveNextAsync());
    }

    private static byte[] V(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Creates one key per name under <see cref="Pods"/>, each valued with its name.</summary>
    private async Task SeedAsync(params string[] names)
    {
        foreach (var name in names)
        {
            Assert.True((await _store.CreateAsync(Pods + name, V(name), CancellationToken.None)).Succeeded);
        }
    }

    /// <summary>The next <paramref name="count"/> put/delete events, skipping progress events (bounded).</summary>
    private static async Task<List<StoreEvent>> NextChangesAsync(IAsyncEnumerator<StoreEvent> watch, int count)
    {
        var changes = new List<StoreEvent>();
        for (var i = 0; i < 1000 && changes.Count < count; i++)
        {
            Assert.True(await watch.MoveNextAsync());
            if (watch.Current.Type != StoreEventType.Progress)
            {
                changes.Add(watch.Current);
            }
        }

        return changes;
    }

    /// <summary>Compares key-values by content (records compare byte arrays by reference).</summary>
    private sealed class KeyValueComparer : IEqualityComparer<StoreKeyValue?>
    {
        public static readonly KeyValueComparer Instance = new();

        public bool Equals(StoreKeyValue? x, StoreKeyValue? y) =>
            x is null || y is null
                ? x is null && y is null
                : x.Key == y.Key && x.Value.AsSpan().SequenceEqual(y.Value) && x.CreateRevision == y.CreateRevision && x.ModRevision == y.ModRevision;

        public int GetHashCode(StoreKeyValue? obj) => obj?.Key.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}
