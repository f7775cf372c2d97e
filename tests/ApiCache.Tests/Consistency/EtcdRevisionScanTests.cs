using System.Text;
using ApiCache.Consistency;
using ApiCache.Consistency.Etcd;
using ApiCache.Consistency.Etcd.Protocol;
using Google.Protobuf;

namespace ApiCache.Tests.Consistency;

/// <summary>How one lookup's watch answers decide its result, and how results become targets (no etcd).</summary>
public sealed class EtcdRevisionScanTests
{
    private static readonly byte[] Prefix = Encoding.UTF8.GetBytes("/registry/pods/");

    [Fact]
    public void Observe_KeyspaceReplayReachesCurrentOnAnotherKey_LastPrefixChangeBeforeIt()
    {
        var scan = new EtcdRevisionScan(Prefix, fromRevision: 10, current: 14, EtcdLookupMode.KeyspaceReplay);

        Assert.False(scan.Observe(new WatchResponse { Created = true }));
        Assert.False(scan.Observe(Events(Change("/registry/pods/a", 11), Change("/registry/configmaps/x", 12))));
        Assert.False(scan.Observe(Events(Change("/registry/pods/b", 13))));
        Assert.True(scan.Observe(Events(Change("/registry/leases/l", 14))));

        Assert.Equal(new EtcdLookupResult(14, 13, Exact: true), scan.Result);
    }

    [Fact]
    public void Observe_LaterFragmentAtCurrent_WaitsForTheLastFragment()
    {
        var scan = new EtcdRevisionScan(Prefix, fromRevision: 10, current: 12, EtcdLookupMode.KeyspaceReplay);

        // One transaction at the current revision, split in two fragments: the pod comes second.
        Assert.False(scan.Observe(Events(fragment: true, Change("/registry/configmaps/x", 12))));
        Assert.True(scan.Observe(Events(fragment: false, Change("/registry/pods/a", 12))));

        Assert.Equal(12, scan.Result.LastChange);
    }

    [Fact]
    public void Observe_EventPastCurrent_EndsWithoutCountingIt()
    {
        var scan = new EtcdRevisionScan(Prefix, fromRevision: 10, current: 12, EtcdLookupMode.ProgressRequests);

        Assert.True(scan.Observe(Events(Change("/registry/pods/a", 11), Change("/registry/pods/b", 13))));

        Assert.Equal(new EtcdLookupResult(12, 11, Exact: true), scan.Result);
    }

    [Fact]
    public void Observe_ProgressAtCurrent_EndsOnlyWhenProgressIsOrdered()
    {
        var progress = new WatchResponse { WatchId = -1, Header = new ResponseHeader { Revision = 15 } };
        var ordered = new EtcdRevisionScan(Prefix, fromRevision: 10, current: 15, EtcdLookupMode.ProgressRequests);
        var replay = new EtcdRevisionScan(Prefix, fromRevision: 10, current: 15, EtcdLookupMode.KeyspaceReplay);

        Assert.True(ordered.Observe(progress));
        Assert.False(replay.Observe(progress));

        Assert.Equal(new EtcdLookupResult(15, 10, Exact: true), ordered.Result);
    }

    [Fact]
    public void Observe_ProgressBeforeCurrent_KeepsWaiting()
    {
        var scan = new EtcdRevisionScan(Prefix, fromRevision: 10, current: 15, EtcdLookupMode.ProgressRequests);

        Assert.False(scan.Observe(new WatchResponse { WatchId = -1, Header = new ResponseHeader { Revision = 14 } }));
    }

    [Fact]
    public void Observe_Compacted_EndsInexact()
    {
        var scan = new EtcdRevisionScan(Prefix, fromRevision: 10, current: 20, EtcdLookupMode.KeyspaceReplay);

        Assert.True(scan.Observe(new WatchResponse { Canceled = true, CompactRevision = 15, CancelReason = "mvcc: required revision has been compacted" }));

        Assert.Equal(new EtcdLookupResult(20, 20, Exact: false), scan.Result);
    }

    [Fact]
    public void Observe_CanceledForAnotherReason_Throws()
    {
        var scan = new EtcdRevisionScan(Prefix, fromRevision: 10, current: 20, EtcdLookupMode.ProgressRequests);

        var error = Assert.Throws<EtcdRpcException>(() => scan.Observe(new WatchResponse { Created = true, Canceled = true, CancelReason = "etcdserver: permission denied" }));

        Assert.Contains("permission denied", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5L, 14L, 20L)]
    [InlineData(12L, 14L, 20L)]
    [InlineData(15L, 15L, 20L)]
    [InlineData(25L, 25L, 25L)]
    public void For_ExactResult_WaitsForTheLaterOfLastChangeAndCache(long cached, long waitFor, long current)
    {
        var result = new EtcdLookupResult(Current: 20, LastChange: 14, Exact: true);

        var target = result.For(cached);

        Assert.Equal(new RevisionTarget(waitFor, current), target);
    }

    [Theory]
    [InlineData(10L, 20L)]
    [InlineData(30L, 30L)]
    public void For_InexactResult_WaitsForCurrent(long cached, long expected)
    {
        var target = new EtcdLookupResult(Current: 20, LastChange: 20, Exact: false).For(cached);

        Assert.Equal(new RevisionTarget(expected, expected), target);
    }

    [Theory]
    [InlineData("3.4.23", false)]
    [InlineData("3.4.30", false)]
    [InlineData("3.4.31", true)]
    [InlineData("3.5.12", false)]
    [InlineData("3.5.13", true)]
    [InlineData("3.5.21", true)]
    [InlineData("3.6.0", true)]
    [InlineData("v3.6.0-rc.1", true)]
    [InlineData("3.7", true)]
    [InlineData("4.0.0", true)]
    [InlineData("", false)]
    [InlineData("not a version", false)]
    public void ModeFor_Version_OrdersProgressOnlyOnFixedReleases(string version, bool progressRequests)
    {
        Assert.Equal(progressRequests ? EtcdLookupMode.ProgressRequests : EtcdLookupMode.KeyspaceReplay, EtcdVersions.ModeFor(version));
    }

    [Theory]
    [InlineData("/registry/pods/", "/registry/pods0")]
    [InlineData("a\u00ff", "b")]
    public void PrefixEnd_Prefix_IsTheNextKeyAfterAllWithThePrefix(string prefix, string expected)
    {
        var bytes = Encoding.Latin1.GetBytes(prefix);

        Assert.Equal(Encoding.Latin1.GetBytes(expected), EtcdKeys.PrefixEnd(bytes));
    }

    private static Event Change(string key, long revision) =>
        new() { Kv = new KeyValue { Key = ByteString.CopyFromUtf8(key), ModRevision = revision } };

    private static WatchResponse Events(params Event[] events) => Events(false, events);

    private static WatchResponse Events(bool fragment, params Event[] events)
    {
        var response = new WatchResponse { WatchId = 1, Fragment = fragment };
        response.Events.Add(events);
        return response;
    }
}
