using System.Diagnostics.CodeAnalysis;
using System.Text;
using ApiCache.DevServer.Storage;

namespace ApiCache.Tests.DevServer.Storage;

/// <summary>
/// The rules every <see cref="IRevisionedStore"/> follows (etcd v3's): revisions, conditional
/// writes, range reads now and in the past, compaction, and watches. A subclass per implementation
/// supplies the store. Each test gets its own store from <see cref="CreateStoreAsync"/>, writes only
/// under its own key root, and counts revisions from the store's revision when it starts, so a
/// subclass may back its stores with one shared server as long as tests do not write to it at the
/// same time (the compaction tests compact the whole store). Watches may send progress events
/// anywhere; the tests skip them where they do not test them, and check their meaning always.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "xunit disposes the fields through IAsyncLifetime.DisposeAsync.")]
public abstract class RevisionedStoreContractTests : IAsyncLifetime
{
    private readonly string _root = $"/contract-{Guid.NewGuid():N}/";
    private readonly CancellationTokenSource _guard = new(TimeSpan.FromSeconds(60));
    private readonly List<StoreWatchReader> _watches = [];
    private IRevisionedStore? _store;

    /// <summary>The store under test.</summary>
    private protected IRevisionedStore Store => _store ?? throw new InvalidOperationException("the store is not created yet");

    /// <summary>A failure guard for every store call.</summary>
    private protected CancellationToken Ct => _guard.Token;

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        foreach (var watch in _watches)
        {
            await watch.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _guard.Dispose();
    }

    // --- revisions and conditional writes ----------------------------------------------------

    [Fact]
    public async Task Writes_EachSuccessfulWrite_AdvancesRevisionByOne()
    {
        var start = await Store.GetRevisionAsync(Ct);

        var created = await Store.CreateAsync(Key("a"), Bytes("1"), Ct);
        Assert.Equal(start + 1, await Store.GetRevisionAsync(Ct));
        var updated = await Store.UpdateAsync(Key("a"), Bytes("2"), created.Revision, Ct);
        Assert.Equal(start + 2, await Store.GetRevisionAsync(Ct));
        var deleted = await Store.DeleteAsync(Key("a"), null, Ct);

        Assert.Equal([start + 1, start + 2, start + 3], new[] { created.Revision, updated.Revision, deleted.Revision });
        Assert.Equal(start + 3, await Store.GetRevisionAsync(Ct));
    }

    [Fact]
    public async Task Writes_FailedConditions_LeaveRevisionUnchanged()
    {
        var created = await CreateAsync("a", "1");
        await CreateAsync("b", "1");
        var before = await Store.GetRevisionAsync(Ct);

        var results = new[]
        {
            await Store.CreateAsync(Key("a"), Bytes("2"), Ct),
            await Store.UpdateAsync(Key("a"), Bytes("2"), created.ModRevision - 1, Ct),
            await Store.UpdateAsync(Key("missing"), Bytes("2"), created.ModRevision, Ct),
            await Store.DeleteAsync(Key("a"), created.ModRevision - 1, Ct),
            await Store.DeleteAsync(Key("missing"), null, Ct),
        };

        Assert.All(results, result => Assert.False(result.Succeeded));
        Assert.All(results, result => Assert.Equal(before, result.Revision));
        Assert.Equal(before, await Store.GetRevisionAsync(Ct));
    }

    [Fact]
    public async Task CreateAsync_NewKey_StoresValueWithCreateAndModRevision()
    {
        var result = await Store.CreateAsync(Key("pods/ns/a"), Bytes("v1"), Ct);

        Assert.True(result.Succeeded);
        var written = Assert.IsType<StoreKeyValue>(result.KeyValue);
        Assert.Equal(Key("pods/ns/a"), written.Key);
        Assert.Equal("v1", Text(written.Value));
        Assert.Equal(result.Revision, written.CreateRevision);
        Assert.Equal(result.Revision, written.ModRevision);
        var read = Assert.Single((await RangeAsync(Key("pods/"))).Items);
        Assert.Equal((written.Key, "v1", written.CreateRevision, written.ModRevision), (read.Key, Text(read.Value), read.CreateRevision, read.ModRevision));
    }

    [Fact]
    public async Task CreateAsync_ExistingKey_FailsWithCurrentValue()
    {
        var created = await CreateAsync("a", "v1");
        var updated = await UpdateAsync("a", "v2", created.ModRevision);

        var result = await Store.CreateAsync(Key("a"), Bytes("v3"), Ct);

        Assert.False(result.Succeeded);
        var current = Assert.IsType<StoreKeyValue>(result.KeyValue);
        Assert.Equal("v2", Text(current.Value));
        Assert.Equal(updated.ModRevision, current.ModRevision);
        Assert.Equal(created.CreateRevision, current.CreateRevision);
        Assert.Equal("v2", Text(Assert.Single((await RangeAsync(Key("a"))).Items).Value));
    }

    [Fact]
    public async Task CreateAsync_AfterDelete_CreatesAgainWithNewCreateRevision()
    {
        var first = await CreateAsync("a", "v1");
        await DeleteAsync("a");

        var again = await CreateAsync("a", "v2");

        Assert.True(again.CreateRevision > first.CreateRevision);
        Assert.Equal(again.ModRevision, again.CreateRevision);
        Assert.Equal("v2", Text(Assert.Single((await RangeAsync(Key("a"))).Items).Value));
    }

    [Fact]
    public async Task UpdateAsync_CurrentModRevision_ReplacesValueAndKeepsCreateRevision()
    {
        var created = await CreateAsync("a", "v1");

        var result = await Store.UpdateAsync(Key("a"), Bytes("v2"), created.ModRevision, Ct);

        Assert.True(result.Succeeded);
        var updated = Assert.IsType<StoreKeyValue>(result.KeyValue);
        Assert.Equal("v2", Text(updated.Value));
        Assert.Equal(created.CreateRevision, updated.CreateRevision);
        Assert.Equal(result.Revision, updated.ModRevision);
        Assert.True(updated.ModRevision > created.ModRevision);
        Assert.Equal(updated.ModRevision, Assert.Single((await RangeAsync(Key("a"))).Items).ModRevision);
    }

    [Fact]
    public async Task UpdateAsync_StaleModRevision_FailsWithCurrentValue()
    {
        var created = await CreateAsync("a", "v1");
        var updated = await UpdateAsync("a", "v2", created.ModRevision);

        var result = await Store.UpdateAsync(Key("a"), Bytes("v3"), created.ModRevision, Ct);

        Assert.False(result.Succeeded);
        var current = Assert.IsType<StoreKeyValue>(result.KeyValue);
        Assert.Equal(("v2", updated.ModRevision), (Text(current.Value), current.ModRevision));
        Assert.Equal("v2", Text(Assert.Single((await RangeAsync(Key("a"))).Items).Value));
    }

    [Fact]
    public async Task UpdateAsync_MissingKey_FailsWithoutKeyValue()
    {
        var created = await CreateAsync("deleted", "v1");
        await DeleteAsync("deleted");

        var never = await Store.UpdateAsync(Key("never"), Bytes("v"), created.ModRevision, Ct);
        var deleted = await Store.UpdateAsync(Key("deleted"), Bytes("v"), created.ModRevision, Ct);

        Assert.False(never.Succeeded);
        Assert.Null(never.KeyValue);
        Assert.False(deleted.Succeeded);
        Assert.Null(deleted.KeyValue);
        Assert.Empty((await RangeAsync(Key(""))).Items);
    }

    [Fact]
    public async Task DeleteAsync_WithoutPrecondition_DeletesAndReturnsDeletedValue()
    {
        var created = await CreateAsync("a", "v1");

        var result = await Store.DeleteAsync(Key("a"), null, Ct);

        Assert.True(result.Succeeded);
        var deleted = Assert.IsType<StoreKeyValue>(result.KeyValue);
        Assert.Equal((Key("a"), "v1", created.ModRevision), (deleted.Key, Text(deleted.Value), deleted.ModRevision));
        Assert.Equal(result.Revision, await Store.GetRevisionAsync(Ct));
        var range = await RangeAsync(Key(""));
        Assert.Empty(range.Items);
        Assert.Equal(0, range.Count);
    }

    [Fact]
    public async Task DeleteAsync_CurrentModRevision_Deletes()
    {
        var created = await CreateAsync("a", "v1");

        var result = await Store.DeleteAsync(Key("a"), created.ModRevision, Ct);

        Assert.True(result.Succeeded);
        Assert.Equal(created.ModRevision, result.KeyValue?.ModRevision);
        Assert.Empty((await RangeAsync(Key("a"), singleKey: true)).Items);
    }

    [Fact]
    public async Task DeleteAsync_StaleModRevision_FailsWithCurrentValueAndKeepsKey()
    {
        var created = await CreateAsync("a", "v1");
        var updated = await UpdateAsync("a", "v2", created.ModRevision);

        var result = await Store.DeleteAsync(Key("a"), created.ModRevision, Ct);

        Assert.False(result.Succeeded);
        Assert.Equal(("v2", updated.ModRevision), (Text(result.KeyValue!.Value), result.KeyValue.ModRevision));
        Assert.Single((await RangeAsync(Key("a"), singleKey: true)).Items);
    }

    [Fact]
    public async Task DeleteAsync_MissingKey_FailsWithoutKeyValue()
    {
        var created = await CreateAsync("deleted", "v1");
        await DeleteAsync("deleted");

        var results = new[]
        {
            await Store.DeleteAsync(Key("never"), null, Ct),
            await Store.DeleteAsync(Key("never"), created.ModRevision, Ct),
            await Store.DeleteAsync(Key("deleted"), null, Ct),
            await Store.DeleteAsync(Key("deleted"), created.ModRevision, Ct),
        };

        Assert.All(results, result => Assert.False(result.Succeeded));
        Assert.All(results, result => Assert.Null(result.KeyValue));
    }

    // --- range reads -------------------------------------------------------------------------

    [Fact]
    public async Task RangeAsync_Prefix_ExcludesKeysThatOnlyShareItsText()
    {
        foreach (var path in new[] { "registry/pods/ns/b", "registry/podsecurity/x", "registry/pods", "registry/pods0/y", "registry/pods/ns/a", "registry/pod/z" })
        {
            await CreateAsync(path, "v");
        }

        var range = await RangeAsync(Key("registry/pods/"));

        Assert.Equal([Key("registry/pods/ns/a"), Key("registry/pods/ns/b")], range.Items.Select(item => item.Key));
        Assert.Equal(2, range.Count);
        Assert.False(range.More);
    }

    [Fact]
    public async Task RangeAsync_Keys_ComeInUtf8ByteOrder()
    {
        // UTF-16 ordinal order would put the emoji (a surrogate pair) before U+FF21; etcd compares bytes.
        string[] names = ["\U0001F600", "a/b", "B", "\uFF21", "a", "~", "a-b", "\u00E9", "a0", "ab"];
        foreach (var name in names)
        {
            await CreateAsync("order/" + name, name);
        }

        var range = await RangeAsync(Key("order/"));

        var expected = names.Select(name => Key("order/" + name)).Order(Utf8Order.Instance);
        Assert.Equal(expected, range.Items.Select(item => item.Key));
    }

    [Fact]
    public async Task RangeAsync_Limit_ReturnsFirstItemsWithMoreAndWholeCount()
    {
        await CreateKeysAsync("items/", 5);

        var limited = await RangeAsync(Key("items/"), limit: 2);
        var exact = await RangeAsync(Key("items/"), limit: 5);
        var wide = await RangeAsync(Key("items/"), limit: 10);

        Assert.Equal([Key("items/k00"), Key("items/k01")], limited.Items.Select(item => item.Key));
        Assert.Equal((true, 5L), (limited.More, limited.Count));
        Assert.Equal(5, exact.Items.Count);
        Assert.Equal((false, 5L), (exact.More, exact.Count));
        Assert.Equal(5, wide.Items.Count);
        Assert.Equal((false, 5L), (wide.More, wide.Count));
    }

    [Fact]
    public async Task RangeAsync_StartKeyPaging_ReproducesTheFullListAtOneRevision()
    {
        await CreateKeysAsync("items/", 8);
        var full = await RangeAsync(Key("items/"));

        var paged = new List<StoreKeyValue>();
        var counts = new List<long>();
        string? startKey = null;
        for (var page = 0; page < 10; page++)
        {
            var range = await Store.RangeAsync(new StoreRangeRequest(Key("items/")) { StartKey = startKey, Limit = 3, Revision = full.Revision }, Ct);
            Assert.Equal(full.Revision, range.Revision);
            paged.AddRange(range.Items);
            counts.Add(range.Count);
            if (!range.More)
            {
                break;
            }

            startKey = range.Items[^1].Key + "\0";

            if (page == 0)
            {
                // A write between pages does not show up in a read at a fixed revision.
                await CreateAsync("items/k03a", "late");
            }
        }

        Assert.Equal(full.Items.Select(item => (item.Key, item.ModRevision)), paged.Select(item => (item.Key, item.ModRevision)));
        Assert.Equal([8L, 5L, 2L], counts);
    }

    [Fact]
    public async Task RangeAsync_SingleKey_ReadsOnlyThatKey()
    {
        foreach (var path in new[] { "a", "a/b", "ab" })
        {
            await CreateAsync(path, path);
        }

        var one = await RangeAsync(Key("a"), singleKey: true);
        var none = await RangeAsync(Key("a/"), singleKey: true);

        Assert.Equal("a", Text(Assert.Single(one.Items).Value));
        Assert.Equal(1, one.Count);
        Assert.Empty(none.Items);
        Assert.Equal(0, none.Count);
    }

    [Fact]
    public async Task RangeAsync_Latest_ReportsCurrentRevision()
    {
        await CreateAsync("a", "v1");
        await CreateAsync("other", "v1");

        var range = await RangeAsync(Key("a"));

        Assert.Equal(await Store.GetRevisionAsync(Ct), range.Revision);
    }

    [Fact]
    public async Task RangeAsync_PastRevision_SeesOldValuesAndNotLaterKeys()
    {
        var a = await CreateAsync("items/a", "a1");
        var b = await CreateAsync("items/b", "b1");
        await UpdateAsync("items/a", "a2", a.ModRevision);
        await CreateAsync("items/c", "c1");

        var past = await RangeAsync(Key("items/"), revision: b.ModRevision);

        Assert.Equal(b.ModRevision, past.Revision);
        Assert.Equal([(Key("items/a"), "a1", a.ModRevision), (Key("items/b"), "b1", b.ModRevision)], past.Items.Select(item => (item.Key, Text(item.Value), item.ModRevision)));
        Assert.Equal(2, past.Count);
        Assert.Equal("a1", Text(Assert.Single((await RangeAsync(Key("items/a"), singleKey: true, revision: b.ModRevision)).Items).Value));
    }

    [Fact]
    public async Task RangeAsync_PastRevision_SeesDeletedKeysAsTheyWere()
    {
        var a = await CreateAsync("items/a", "a1");
        await CreateAsync("items/b", "b1");
        var deleted = await Store.DeleteAsync(Key("items/a"), null, Ct);

        var before = await RangeAsync(Key("items/"), revision: deleted.Revision - 1);
        var at = await RangeAsync(Key("items/"), revision: deleted.Revision);

        Assert.Equal([(Key("items/a"), "a1", a.ModRevision), (Key("items/b"), "b1", a.ModRevision + 1)], before.Items.Select(item => (item.Key, Text(item.Value), item.ModRevision)));
        Assert.Equal([Key("items/b")], at.Items.Select(item => item.Key));
        Assert.Equal(1, at.Count);
    }

    [Fact]
    public async Task RangeAsync_FutureRevision_ThrowsFutureRevision()
    {
        await CreateAsync("a", "v1");
        var current = await Store.GetRevisionAsync(Ct);

        var error = await Assert.ThrowsAsync<StoreFutureRevisionException>(() => RangeAsync(Key(""), revision: current + 1));

        Assert.Equal(current + 1, error.RequestedRevision);
        Assert.Equal(current, error.CurrentRevision);
    }

    // --- compaction --------------------------------------------------------------------------

    [Fact]
    public async Task CompactAsync_Revision_OlderReadsThrowAndLaterReadsWork()
    {
        var a = await CreateAsync("items/a", "a1");
        await UpdateAsync("items/a", "a2", a.ModRevision);
        var b = await CreateAsync("items/b", "b1");
        await UpdateAsync("items/b", "b2", b.ModRevision);

        await Store.CompactAsync(b.ModRevision, Ct);

        Assert.Equal(b.ModRevision, await Store.GetCompactedRevisionAsync(Ct));
        var error = await Assert.ThrowsAsync<StoreRevisionCompactedException>(() => RangeAsync(Key("items/"), revision: b.ModRevision - 1));
        Assert.Equal(b.ModRevision - 1, error.RequestedRevision);
        Assert.True(error.CompactedRevision >= b.ModRevision);
        var atCompaction = await RangeAsync(Key("items/"), revision: b.ModRevision);
        Assert.Equal(["a2", "b1"], atCompaction.Items.Select(item => Text(item.Value)));
        var latest = await RangeAsync(Key("items/"));
        Assert.Equal(["a2", "b2"], latest.Items.Select(item => Text(item.Value)));
    }

    [Fact]
    public async Task CompactAsync_DeletedKey_StaysDeletedAndCanBeCreatedAgain()
    {
        await CreateAsync("items/a", "a1");
        await DeleteAsync("items/a");
        await CreateAsync("items/b", "b1");

        await Store.CompactAsync(await Store.GetRevisionAsync(Ct), Ct);

        Assert.Equal([Key("items/b")], (await RangeAsync(Key("items/"))).Items.Select(item => item.Key));
        var again = await CreateAsync("items/a", "a2");
        Assert.Equal(again.ModRevision, again.CreateRevision);
        Assert.Equal(2, (await RangeAsync(Key("items/"))).Count);
    }

    // --- watches -----------------------------------------------------------------------------

    [Fact]
    public async Task WatchAsync_PastRevision_ReplaysHistoryThenLiveChangesWithPreviousValues()
    {
        var start = await Store.GetRevisionAsync(Ct);
        var created = await CreateAsync("items/a", "v1");
        var updated = await UpdateAsync("items/a", "v2", created.ModRevision);
        var deleted = await Store.DeleteAsync(Key("items/a"), null, Ct);

        var watch = Watch(Key("items/"), start);
        var history = await watch.NextChangesAsync(3);
        var live = await CreateAsync("items/b", "v3");
        var liveEvent = await watch.NextChangeAsync();

        Assert.Equal((StoreEventType.Put, created.ModRevision, "v1", created.CreateRevision), (history[0].Type, history[0].Revision, Text(history[0].KeyValue!.Value), history[0].KeyValue!.CreateRevision));
        Assert.Null(history[0].PreviousKeyValue);
        Assert.Equal((StoreEventType.Put, updated.ModRevision, "v2", created.CreateRevision), (history[1].Type, history[1].Revision, Text(history[1].KeyValue!.Value), history[1].KeyValue!.CreateRevision));
        Assert.Equal(("v1", created.ModRevision), (Text(history[1].PreviousKeyValue!.Value), history[1].PreviousKeyValue!.ModRevision));
        Assert.Equal((StoreEventType.Delete, deleted.Revision), (history[2].Type, history[2].Revision));
        Assert.Equal((Key("items/a"), 0, deleted.Revision), (history[2].KeyValue!.Key, history[2].KeyValue!.Value.Length, history[2].KeyValue!.ModRevision));
        Assert.Equal(("v2", updated.ModRevision), (Text(history[2].PreviousKeyValue!.Value), history[2].PreviousKeyValue!.ModRevision));
        Assert.Equal((StoreEventType.Put, live.ModRevision, Key("items/b")), (liveEvent.Type, liveEvent.Revision, liveEvent.KeyValue!.Key));
        Assert.Null(liveEvent.PreviousKeyValue);
    }

    [Fact]
    public async Task WatchAsync_AfterRevision_StartsWithTheNextChange()
    {
        await CreateAsync("items/a", "v");
        var b = await CreateAsync("items/b", "v");
        var c = await CreateAsync("items/c", "v");

        var watch = Watch(Key("items/"), b.ModRevision);

        var first = await watch.NextChangeAsync();
        Assert.Equal((Key("items/c"), c.ModRevision), (first.KeyValue!.Key, first.Revision));
    }

    [Fact]
    public async Task WatchAsync_FutureAfterRevision_WaitsForLaterChanges()
    {
        var start = await Store.GetRevisionAsync(Ct);
        var watch = Watch(Key("items/"), start + 2);
        var waiting = watch.NextChangeAsync();

        await CreateAsync("items/a", "v");
        await CreateAsync("items/b", "v");
        var c = await CreateAsync("items/c", "v");

        var first = await waiting;
        Assert.Equal((Key("items/c"), c.ModRevision), (first.KeyValue!.Key, first.Revision));
    }

    [Fact]
    public async Task WatchAsync_ConcurrentWriters_DeliverEveryChangeOnceInRevisionOrder()
    {
        const int Writers = 4, KeysPerWriter = 20;
        var start = await Store.GetRevisionAsync(Ct);
        var watch = Watch(Key("items/"), start);
        var collecting = watch.NextChangesAsync(Writers * KeysPerWriter * 2);

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < KeysPerWriter; i++)
            {
                var created = await CreateAsync($"items/w{writer}/k{i:D2}", "created");
                await UpdateAsync($"items/w{writer}/k{i:D2}", "updated", created.ModRevision);
            }
        })));
        var changes = await collecting;
        var sentinel = await CreateAsync("items/sentinel", "v");

        Assert.Equal(Enumerable.Range(1, changes.Count).Select(offset => start + offset), changes.Select(change => change.Revision));
        var expected = Enumerable.Range(0, Writers).SelectMany(writer => Enumerable.Range(0, KeysPerWriter).SelectMany(i => new[]
        {
            (Key($"items/w{writer}/k{i:D2}"), "created"),
            (Key($"items/w{writer}/k{i:D2}"), "updated"),
        }));
        Assert.Equal(expected.Order(), changes.Select(change => (change.KeyValue!.Key, Text(change.KeyValue.Value))).Order());
        Assert.All(changes.Where(change => Text(change.KeyValue!.Value) == "updated"), change =>
            Assert.Equal("created", Text(change.PreviousKeyValue!.Value)));
        Assert.Equal(sentinel.ModRevision, (await watch.NextChangeAsync()).Revision);
    }

    [Fact]
    public async Task UpdateAsync_ConcurrentOptimisticIncrements_LoseNoUpdate()
    {
        const int Writers = 4, IncrementsPerWriter = 15;
        var created = await CreateAsync("counter", "0");
        var watch = Watch(Key("counter"), created.ModRevision);
        var collecting = watch.NextChangesAsync(Writers * IncrementsPerWriter);

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            for (int done = 0, attempts = 0; done < IncrementsPerWriter; attempts++)
            {
                Assert.True(attempts < 10_000, "too many conflicts");
                var current = Assert.Single((await RangeAsync(Key("counter"), singleKey: true)).Items);
                var next = int.Parse(Text(current.Value), System.Globalization.CultureInfo.InvariantCulture) + 1;
                var result = await Store.UpdateAsync(Key("counter"), Bytes(next.ToString(System.Globalization.CultureInfo.InvariantCulture)), current.ModRevision, Ct);
                done += result.Succeeded ? 1 : 0;
            }
        })));
        var changes = await collecting;

        Assert.Equal(Enumerable.Range(1, Writers * IncrementsPerWriter).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), changes.Select(change => Text(change.KeyValue!.Value)));
        Assert.Equal([created.ModRevision, .. changes.SkipLast(1).Select(change => change.Revision)], changes.Select(change => change.PreviousKeyValue!.ModRevision));
    }

    [Fact]
    public async Task WatchAsync_Prefix_DeliversOnlyKeysUnderIt()
    {
        var start = await Store.GetRevisionAsync(Ct);
        var watch = Watch(Key("registry/pods/"), start);
        var waiting = watch.NextChangeAsync();

        foreach (var path in new[] { "registry/podsecurity/x", "registry/pods", "registry/pods0/y", "registry/configmaps/ns/a" })
        {
            await CreateAsync(path, "v");
        }

        var pod = await CreateAsync("registry/pods/ns/a", "v");

        var first = await waiting;
        Assert.Equal((Key("registry/pods/ns/a"), pod.ModRevision), (first.KeyValue!.Key, first.Revision));
    }

    [Fact]
    public async Task WatchAsync_CompactedAfterRevision_ThrowsOnFirstMoveNext()
    {
        var start = await Store.GetRevisionAsync(Ct);
        await CreateKeysAsync("items/", 3);
        var current = await Store.GetRevisionAsync(Ct);
        await Store.CompactAsync(current, Ct);

        var watch = Watch(Key("items/"), start);

        var error = await Assert.ThrowsAsync<StoreRevisionCompactedException>(watch.MoveNextAsync);
        Assert.True(error.CompactedRevision >= current);
    }

    [Fact]
    public async Task WatchAsync_FromCompactedRevision_DeliversLaterChanges()
    {
        await CreateKeysAsync("items/", 3);
        var current = await Store.GetRevisionAsync(Ct);
        await Store.CompactAsync(current, Ct);

        var watch = Watch(Key("items/"), current);
        var created = await CreateAsync("items/late", "v");

        Assert.Equal(created.ModRevision, (await watch.NextChangeAsync()).Revision);
    }

    [Fact]
    public async Task WatchAsync_IdleAfterUnrelatedWrite_SendsProgressWithCurrentRevision()
    {
        var start = await Store.GetRevisionAsync(Ct);
        var watch = Watch(Key("quiet/"), start);
        var waiting = watch.NextProgressAsync(start + 1);

        var unrelated = await CreateAsync("busy/a", "v");

        var progress = await waiting;
        Assert.Equal(unrelated.ModRevision, progress.Revision);
        Assert.Null(progress.KeyValue);
        var change = await CreateAsync("quiet/a", "v");
        Assert.Equal(change.ModRevision, (await watch.NextChangeAsync()).Revision);
    }

    [Fact]
    public async Task WatchAsync_Cancelled_EndsWithOperationCanceled()
    {
        var watch = Watch(Key("items/"), await Store.GetRevisionAsync(Ct));
        var waiting = watch.MoveNextAsync();

        await watch.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await waiting;
            for (var i = 0; i < 1000; i++)
            {
                await watch.MoveNextAsync();
            }
        });
    }

    // --- batches -----------------------------------------------------------------------------

    [Fact]
    public async Task CreateManyAsync_Items_AreReadableAndWatchedOnce()
    {
        var existing = await CreateAsync("items/k07", "old");
        var start = await Store.GetRevisionAsync(Ct);
        var watch = Watch(Key("items/"), start);
        var waiting = watch.NextChangeAsync();
        var items = Enumerable.Range(0, 40).Select(i => KeyValuePair.Create(Key($"items/k{i:D2}"), Bytes($"v{i}"))).ToList();

        var revision = await Store.CreateManyAsync(items, Ct);

        Assert.Equal(await Store.GetRevisionAsync(Ct), revision);
        var range = await RangeAsync(Key("items/"));
        Assert.Equal(items.Select(item => (item.Key, Text(item.Value))), range.Items.Select(item => (item.Key, Text(item.Value))));
        Assert.All(range.Items, item => Assert.InRange(item.ModRevision, start + 1, revision));
        Assert.Equal(existing.CreateRevision, range.Items[7].CreateRevision);
        var changes = new[] { await waiting }.Concat(await watch.NextChangesAsync(items.Count - 1)).ToList();
        Assert.Equal(items.Select(item => item.Key).Order(StringComparer.Ordinal), changes.Select(change => change.KeyValue!.Key).Order(StringComparer.Ordinal));
        Assert.All(changes, change => Assert.Equal(StoreEventType.Put, change.Type));
        Assert.Equal("old", Text(changes.Single(change => change.KeyValue!.Key == Key("items/k07")).PreviousKeyValue!.Value));
        var sentinel = await CreateAsync("items/sentinel", "v");
        Assert.Equal(sentinel.ModRevision, (await watch.NextChangeAsync()).Revision);
    }

    /// <summary>Creates the store for one test.</summary>
    private protected abstract Task<IRevisionedStore> CreateStoreAsync();

    /// <summary>The full key of <paramref name="path"/> under this test's root.</summary>
    private protected string Key(string path) => _root + path;

    private protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private protected static string Text(byte[] value) => Encoding.UTF8.GetString(value);

    /// <summary>Opens a watch that the test's cleanup closes.</summary>
    private protected StoreWatchReader Watch(string prefix, long afterRevision)
    {
        var watch = new StoreWatchReader(Store, prefix, afterRevision);
        _watches.Add(watch);
        return watch;
    }

    /// <summary>Creates a key under the root; the write must succeed.</summary>
    private protected async Task<StoreKeyValue> CreateAsync(string path, string value)
    {
        var result = await Store.CreateAsync(Key(path), Bytes(value), Ct);
        Assert.True(result.Succeeded, $"create {path}");
        return result.KeyValue!;
    }

    private protected async Task<StoreKeyValue> UpdateAsync(string path, string value, long expectedModRevision)
    {
        var result = await Store.UpdateAsync(Key(path), Bytes(value), expectedModRevision, Ct);
        Assert.True(result.Succeeded, $"update {path}");
        return result.KeyValue!;
    }

    private protected async Task DeleteAsync(string path)
    {
        var result = await Store.DeleteAsync(Key(path), null, Ct);
        Assert.True(result.Succeeded, $"delete {path}");
    }

    /// <summary>Creates <paramref name="count"/> keys <c>k00</c>, <c>k01</c>... under <paramref name="folder"/>, one write each.</summary>
    private protected async Task CreateKeysAsync(string folder, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await CreateAsync($"{folder}k{i:D2}", $"v{i}");
        }
    }

    private protected async Task<StoreRange> RangeAsync(string prefix, bool singleKey = false, long revision = 0, int limit = 0) =>
        await Store.RangeAsync(new StoreRangeRequest(prefix) { SingleKey = singleKey, Revision = revision, Limit = limit }, Ct);

    /// <summary>Orders strings by their UTF-8 bytes, as etcd orders keys.</summary>
    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y) =>
            Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
    }
}
