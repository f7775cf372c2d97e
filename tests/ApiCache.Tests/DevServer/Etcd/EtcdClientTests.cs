using System.Net;
using System.Net.Sockets;
using System.Text;
using ApiCache.DevServer.Etcd;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Etcd;

/// <summary>The etcd gateway client against a real etcd.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class EtcdClientTests : IDisposable
{
    /// <summary>Failure guard for waits on etcd (watch messages, progress notifications).</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly EtcdClient _client;
    private readonly string _prefix = EtcdFixture.NewKeyPrefix() + "/";

    public EtcdClientTests(EtcdFixture etcd)
    {
        _client = etcd.CreateClient();
    }

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task StatusAsync_RunningEtcd_ReportsVersionAndRevision()
    {
        var status = await _client.StatusAsync(CancellationToken.None);

        Assert.StartsWith("3.", status.Version, StringComparison.Ordinal);
        Assert.True(status.Header.Revision >= 1, $"revision {status.Header.Revision}");
    }

    [Fact]
    public async Task RangeAsync_WithLimit_ReturnsFirstKeysCountAndMore()
    {
        await PutAsync("b", [0x00, 0xff, 0x10]);
        await PutAsync("a", "1"u8.ToArray());
        await PutAsync("c", "3"u8.ToArray());

        var response = await _client.RangeAsync(
            new EtcdRangeRequest { Key = Key(""), RangeEnd = EtcdClient.PrefixEnd(Key("")), Limit = 2 }, CancellationToken.None);

        Assert.Equal([_prefix + "a", _prefix + "b"], response.Kvs.Select(kv => Encoding.UTF8.GetString(kv.Key)));
        Assert.Equal([0x00, 0xff, 0x10], response.Kvs[1].Value);
        Assert.True(response.More);
        Assert.Equal(3, response.Count);
    }

    [Fact]
    public async Task RangeAsync_WholeRange_SaysNoMore()
    {
        await PutAsync("a", "1"u8.ToArray());
        await PutAsync("b", "2"u8.ToArray());

        var response = await _client.RangeAsync(
            new EtcdRangeRequest { Key = Key(""), RangeEnd = EtcdClient.PrefixEnd(Key("")), Limit = 5 }, CancellationToken.None);

        Assert.Equal(2, response.Kvs.Count);
        Assert.False(response.More);
        Assert.Equal(2, response.Count);
    }

    [Fact]
    public async Task RangeAsync_MissingSingleKey_ReturnsNothingWithRevision()
    {
        var written = await PutAsync("present", "x"u8.ToArray());

        var response = await _client.RangeAsync(new EtcdRangeRequest { Key = Key("missing") }, CancellationToken.None);

        Assert.Empty(response.Kvs);
        Assert.Equal(0, response.Count);
        Assert.True(response.Header.Revision >= written);
    }

    [Fact]
    public async Task RangeAsync_PastRevision_ReadsOldValue()
    {
        var first = await PutAsync("k", "old"u8.ToArray());
        await PutAsync("k", "new"u8.ToArray());

        var response = await _client.RangeAsync(new EtcdRangeRequest { Key = Key("k"), Revision = first }, CancellationToken.None);

        var kv = Assert.Single(response.Kvs);
        Assert.Equal("old"u8.ToArray(), kv.Value);
        Assert.Equal(first, kv.ModRevision);
        Assert.Equal(first, kv.CreateRevision);
    }

    [Fact]
    public async Task TxnAsync_CompareHolds_RunsSuccessBranchWithPreviousValue()
    {
        var created = await PutAsync("k", "v1"u8.ToArray());

        var response = await _client.TxnAsync(
            new EtcdTxnRequest
            {
                Compare = [EtcdCompare.ModRevisionEquals(Key("k"), created)],
                Success = [new EtcdRequestOp { RequestPut = new EtcdPutRequest { Key = Key("k"), Value = "v2"u8.ToArray(), PrevKv = true } }],
                Failure = [new EtcdRequestOp { RequestRange = new EtcdRangeRequest { Key = Key("k") } }],
            },
            CancellationToken.None);

        Assert.True(response.Succeeded);
        Assert.True(response.Header.Revision > created);
        var previous = Assert.Single(response.Responses).ResponsePut?.PrevKv;
        Assert.NotNull(previous);
        Assert.Equal("v1"u8.ToArray(), previous.Value);
        Assert.Equal(created, previous.ModRevision);
    }

    [Fact]
    public async Task TxnAsync_CompareFails_RunsFailureBranch()
    {
        var created = await PutAsync("k", "v1"u8.ToArray());

        var response = await _client.TxnAsync(
            new EtcdTxnRequest
            {
                Compare = [EtcdCompare.CreateRevisionEquals(Key("k"), 0)],
                Success = [new EtcdRequestOp { RequestPut = new EtcdPutRequest { Key = Key("k"), Value = "v2"u8.ToArray() } }],
                Failure = [new EtcdRequestOp { RequestRange = new EtcdRangeRequest { Key = Key("k") } }],
            },
            CancellationToken.None);

        Assert.False(response.Succeeded);
        Assert.Equal(created, response.Header.Revision);
        var current = Assert.Single(Assert.Single(response.Responses).ResponseRange!.Kvs);
        Assert.Equal("v1"u8.ToArray(), current.Value);
    }

    [Fact]
    public async Task TxnAsync_DeleteMissingKey_SucceedsWithNothingDeleted()
    {
        var response = await _client.TxnAsync(
            new EtcdTxnRequest { Success = [new EtcdRequestOp { RequestDeleteRange = new EtcdDeleteRangeRequest { Key = Key("missing"), PrevKv = true } }] },
            CancellationToken.None);

        Assert.True(response.Succeeded);
        var deleted = Assert.Single(response.Responses).ResponseDeleteRange;
        Assert.NotNull(deleted);
        Assert.Equal(0, deleted.Deleted);
        Assert.Empty(deleted.PrevKvs);
    }

    [Fact]
    public async Task TxnAsync_TooManyOperations_ThrowsEtcdError()
    {
        var puts = Enumerable.Range(0, 129)
            .Select(i => new EtcdRequestOp { RequestPut = new EtcdPutRequest { Key = Key($"k{i:000}"), Value = [1] } })
            .ToList();

        var error = await Assert.ThrowsAsync<EtcdException>(
            () => _client.TxnAsync(new EtcdTxnRequest { Success = puts }, CancellationToken.None));

        Assert.Equal(400, error.HttpStatus);
        Assert.Contains("too many operations in txn request", error.EtcdMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RangeAsync_CompactedRevision_ThrowsRevisionCompacted()
    {
        var first = await PutAsync("k", "1"u8.ToArray());
        var second = await PutAsync("k", "2"u8.ToArray());
        await _client.CompactAsync(second, physical: true, CancellationToken.None);

        var error = await Assert.ThrowsAsync<EtcdException>(
            () => _client.RangeAsync(new EtcdRangeRequest { Key = Key("k"), Revision = first }, CancellationToken.None));

        Assert.True(error.IsRevisionCompacted, error.Message);
        Assert.False(error.IsFutureRevision);
        Assert.Equal(400, error.HttpStatus);
        Assert.Equal(11, error.GrpcCode);

        // The compacted revision itself is still readable.
        var atCompaction = await _client.RangeAsync(new EtcdRangeRequest { Key = Key("k"), Revision = second }, CancellationToken.None);
        Assert.Equal("2"u8.ToArray(), Assert.Single(atCompaction.Kvs).Value);
    }

    [Fact]
    public async Task RangeAsync_FutureRevision_ThrowsFutureRevision()
    {
        var current = await PutAsync("k", "1"u8.ToArray());

        var error = await Assert.ThrowsAsync<EtcdException>(
            () => _client.RangeAsync(new EtcdRangeRequest { Key = Key("k"), Revision = current + 1000 }, CancellationToken.None));

        Assert.True(error.IsFutureRevision, error.Message);
        Assert.False(error.IsRevisionCompacted);
    }

    [Fact]
    public async Task WatchAsync_FromPastRevision_SendsCreatedThenEveryChange()
    {
        var created = await PutAsync("a", "1"u8.ToArray());
        var updated = await PutAsync("a", "2"u8.ToArray());
        var deleted = await DeleteAsync("a");
        using var guard = new CancellationTokenSource(Guard);

        var messages = new List<EtcdWatchResponse>();
        await foreach (var message in _client.WatchAsync(WatchFrom(created), guard.Token))
        {
            messages.Add(message);
            if (messages.Sum(m => m.Events.Count) >= 3)
            {
                break;
            }
        }

        Assert.True(messages[0].Created);
        var events = messages.SelectMany(m => m.Events).ToList();
        Assert.Equal([created, updated, deleted], events.Select(e => e.Kv.ModRevision));
        Assert.Equal([false, false, true], events.Select(e => e.IsDelete));
        Assert.Null(events[0].PrevKv);
        Assert.Equal("1"u8.ToArray(), events[1].PrevKv?.Value);
        Assert.Equal(_prefix + "a", Encoding.UTF8.GetString(events[2].Kv.Key));
        Assert.Empty(events[2].Kv.Value);
        Assert.Equal("2"u8.ToArray(), events[2].PrevKv?.Value);
    }

    [Fact]
    public async Task WatchAsync_LiveChange_IsDelivered()
    {
        var before = await PutAsync("other", "x"u8.ToArray());
        using var guard = new CancellationTokenSource(Guard);
        await using var messages = _client.WatchAsync(WatchFrom(before + 1), guard.Token).GetAsyncEnumerator(guard.Token);
        Assert.True(await messages.MoveNextAsync());
        Assert.True(messages.Current.Created);

        var written = await PutAsync("live", "v"u8.ToArray());

        // Progress notifications may come first; the event follows.
        EtcdEvent? change = null;
        for (var i = 0; i < 100 && change is null; i++)
        {
            Assert.True(await messages.MoveNextAsync());
            change = messages.Current.Events is [var first, ..] ? first : null;
        }

        Assert.NotNull(change);
        Assert.Equal(written, change.Kv.ModRevision);
        Assert.Equal("v"u8.ToArray(), change.Kv.Value);
    }

    [Fact]
    public async Task WatchAsync_Idle_SendsProgressNotifyWithCurrentRevision()
    {
        var written = await PutAsync("k", "v"u8.ToArray());
        using var guard = new CancellationTokenSource(Guard);

        EtcdWatchResponse? progress = null;
        var seen = 0;
        await foreach (var message in _client.WatchAsync(WatchFrom(written + 1), guard.Token))
        {
            if (message.IsProgressNotify || ++seen > 100)
            {
                progress = message;
                break;
            }
        }

        Assert.NotNull(progress);
        Assert.True(progress.IsProgressNotify);
        Assert.True(progress.Header.Revision >= written, $"progress at {progress.Header.Revision}, written at {written}");
    }

    [Fact]
    public async Task WatchAsync_CompactedStartRevision_IsCanceledWithCompactRevision()
    {
        var first = await PutAsync("k", "1"u8.ToArray());
        var second = await PutAsync("k", "2"u8.ToArray());
        await _client.CompactAsync(second, physical: true, CancellationToken.None);
        using var guard = new CancellationTokenSource(Guard);

        var messages = new List<EtcdWatchResponse>();
        await foreach (var message in _client.WatchAsync(WatchFrom(first), guard.Token))
        {
            messages.Add(message);
        }

        var last = messages[^1];
        Assert.True(last.Canceled);
        Assert.Equal(second, last.CompactRevision);
        Assert.Empty(messages.SelectMany(m => m.Events));
    }

    [Fact]
    public async Task WatchAsync_Cancelled_ThrowsOperationCanceled()
    {
        var written = await PutAsync("k", "v"u8.ToArray());
        using var cancel = new CancellationTokenSource();
        await using var messages = _client.WatchAsync(WatchFrom(written + 1), cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.True(await messages.MoveNextAsync());

        var next = messages.MoveNextAsync().AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Guard));
    }

    [Fact]
    public async Task RangeAsync_NothingListening_ThrowsEtcdExceptionWithoutStatus()
    {
        using var client = new EtcdClient(new Uri($"http://127.0.0.1:{ClosedPort()}/"));

        var error = await Assert.ThrowsAsync<EtcdException>(
            () => client.RangeAsync(new EtcdRangeRequest { Key = Key("k") }, CancellationToken.None));

        Assert.Null(error.HttpStatus);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public void Constructor_HttpClientWithTimeout_Throws()
    {
        using var http = new HttpClient();

        var error = Assert.Throws<ArgumentException>(() => new EtcdClient(http, new Uri("http://127.0.0.1:2379")));

        Assert.Contains("InfiniteTimeSpan", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Endpoint_WithoutTrailingSlash_GetsOne()
    {
        using var client = new EtcdClient(new Uri("http://127.0.0.1:2379/etcd"));

        Assert.Equal("http://127.0.0.1:2379/etcd/", client.Endpoint.AbsoluteUri);
    }

    [Theory]
    [InlineData(new byte[] { 0x2f, 0x61 }, new byte[] { 0x2f, 0x62 })]
    [InlineData(new byte[] { 0x61, 0xff }, new byte[] { 0x62 })]
    [InlineData(new byte[] { 0xff, 0xff }, new byte[] { 0x00 })]
    [InlineData(new byte[0], new byte[] { 0x00 })]
    public void PrefixEnd_Prefix_IsFirstKeyAfterEveryKeyWithThePrefix(byte[] prefix, byte[] expected)
    {
        Assert.Equal(expected, EtcdClient.PrefixEnd(prefix));
    }

    /// <summary>A port nothing listens on (free a moment ago).</summary>
    internal static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private byte[] Key(string name) => Encoding.UTF8.GetBytes(_prefix + name);

    private EtcdWatchCreateRequest WatchFrom(long revision) => new()
    {
        Key = Key(""),
        RangeEnd = EtcdClient.PrefixEnd(Key("")),
        StartRevision = revision,
        PrevKv = true,
        ProgressNotify = true,
    };

    private async Task<long> PutAsync(string name, byte[] value)
    {
        var response = await _client.TxnAsync(
            new EtcdTxnRequest { Success = [new EtcdRequestOp { RequestPut = new EtcdPutRequest { Key = Key(name), Value = value } }] },
            CancellationToken.None);
        return response.Header.Revision;
    }

    private async Task<long> DeleteAsync(string name)
    {
        var response = await _client.TxnAsync(
            new EtcdTxnRequest { Success = [new EtcdRequestOp { RequestDeleteRange = new EtcdDeleteRangeRequest { Key = Key(name) } }] },
            CancellationToken.None);
        return response.Header.Revision;
    }
}
