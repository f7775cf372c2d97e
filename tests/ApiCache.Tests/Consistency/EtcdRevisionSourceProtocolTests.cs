using System.Text;
using ApiCache.Configuration;
using ApiCache.Consistency;
using ApiCache.Consistency.Etcd;
using ApiCache.Consistency.Etcd.Protocol;
using ApiCache.Tests.Infrastructure;
using Google.Protobuf;

namespace ApiCache.Tests.Consistency;

/// <summary>
/// The etcd revision source against a scripted etcd gRPC server: what it sends, the progress-request
/// mode that the installed etcd (3.4.23) cannot exercise, gRPC failures and TLS.
/// </summary>
public sealed class EtcdRevisionSourceProtocolTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private static readonly CachedResourceReference Pods = new("", "v1", "pods", "/registry/pods/");

    [Fact]
    public async Task GetTargetAsync_FixedEtcd_WatchesPrefixAndRepeatsProgressRequestsUntilAnswered()
    {
        await using var etcd = await FakeEtcdServer.StartAsync();
        etcd.Script.Version = "3.5.17";
        etcd.Script.Revision = 100;
        etcd.Script.History.Add(Events(("/registry/pods/default/a", 95), ("/registry/pods/default/b", 97)));
        etcd.Script.ProgressRequestsIgnored = 3;
        await using var source = NewSource(etcd.Endpoint);

        var target = await source.GetTargetAsync(Pods, 90, CancellationToken.None).AsTask().WaitAsync(Guard);

        Assert.Equal(new RevisionTarget(97, 100), target);
        Assert.True(etcd.ProgressRequests >= 4, $"{etcd.ProgressRequests} progress requests");
        var range = Assert.Single(etcd.Ranges);
        Assert.Equal("/registry/pods/", range.Key.ToStringUtf8());
        Assert.True(range.CountOnly);
        Assert.False(range.Serializable);
        var create = Assert.Single(etcd.WatchCreates);
        Assert.Equal("/registry/pods/", create.Key.ToStringUtf8());
        Assert.Equal("/registry/pods0", create.RangeEnd.ToStringUtf8());
        Assert.Equal(91, create.StartRevision);
        Assert.True(create.Fragment);
    }

    [Fact]
    public async Task GetTargetAsync_FixedEtcdNoChanges_WaitsForCachedRevision()
    {
        await using var etcd = await FakeEtcdServer.StartAsync();
        etcd.Script.Revision = 100;
        await using var source = NewSource(etcd.Endpoint);

        var target = await source.GetTargetAsync(Pods, 90, CancellationToken.None).AsTask().WaitAsync(Guard);

        Assert.Equal(new RevisionTarget(90, 100), target);
    }

    [Fact]
    public async Task GetTargetAsync_OlderEtcd_ReplaysWholeKeyspaceWithoutProgressRequests()
    {
        await using var etcd = await FakeEtcdServer.StartAsync();
        etcd.Script.Version = "3.4.23";
        etcd.Script.Revision = 100;
        etcd.Script.History.Add(Events(("/registry/pods/default/a", 95), ("/registry/leases/l", 100)));
        await using var source = NewSource(etcd.Endpoint);

        var target = await source.GetTargetAsync(Pods, 90, CancellationToken.None).AsTask().WaitAsync(Guard);

        Assert.Equal(new RevisionTarget(95, 100), target);
        var create = Assert.Single(etcd.WatchCreates);
        Assert.Equal(new byte[] { 0 }, create.Key.ToByteArray());
        Assert.Equal(new byte[] { 0 }, create.RangeEnd.ToByteArray());
        Assert.Equal(0, etcd.ProgressRequests);
    }

    [Fact]
    public async Task GetTargetAsync_OlderEtcdGapTooLong_WaitsForCurrentWithoutWatching()
    {
        await using var etcd = await FakeEtcdServer.StartAsync();
        etcd.Script.Version = "3.4.23";
        etcd.Script.Revision = 10 + EtcdRevisionSource.MaxKeyspaceReplayRevisions + 1;
        await using var source = NewSource(etcd.Endpoint);

        var target = await source.GetTargetAsync(Pods, 10, CancellationToken.None).AsTask().WaitAsync(Guard);

        Assert.Equal(new RevisionTarget(etcd.Script.Revision, etcd.Script.Revision), target);
        Assert.Empty(etcd.WatchCreates);
    }

    [Fact]
    public async Task GetTargetAsync_EtcdFailsWithGrpcStatus_ThrowsUnavailableWithEtcdsMessage()
    {
        await using var etcd = await FakeEtcdServer.StartAsync();
        etcd.Script.Failure = (14, "etcdserver: leader changed");
        await using var source = NewSource(etcd.Endpoint);

        var error = await Assert.ThrowsAsync<RevisionSourceUnavailableException>(
            () => source.GetTargetAsync(Pods, 90, CancellationToken.None).AsTask().WaitAsync(Guard));

        Assert.Contains("/etcdserverpb.KV/Range", error.Message, StringComparison.Ordinal);
        Assert.Contains("grpc-status 14 (Unavailable): etcdserver: leader changed", error.Message, StringComparison.Ordinal);
        Assert.Equal(14, Assert.IsType<EtcdRpcException>(error.InnerException).GrpcStatus);
    }

    [Fact]
    public async Task GetTargetAsync_Https_TrustsConfiguredCaAndPresentsClientCertificate()
    {
        using var pki = new TestPki();
        using var directory = new TempDirectory();
        await using var etcd = await FakeEtcdServer.StartAsync((pki.IssueServer(), pki.Ca));
        etcd.Script.Revision = 50;
        var (certFile, keyFile) = TestPki.WritePem(pki.IssueClient("kube-apiserver-etcd-client", "system:masters"), directory, "client");
        var options = Options(etcd.Endpoint);
        options.CaFile = directory.Write("ca.crt", pki.CaPem);
        options.CertFile = certFile;
        options.KeyFile = keyFile;
        await using var source = new EtcdRevisionSource(options, TimeProvider.System, logger: null, handler: null);

        var target = await source.GetTargetAsync(Pods, 50, CancellationToken.None).AsTask().WaitAsync(Guard);

        Assert.Equal(new RevisionTarget(50, 50), target);
        Assert.StartsWith("https://", etcd.Endpoint.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains("CN=kube-apiserver-etcd-client", etcd.ClientSubject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTargetAsync_HttpsServerNotSignedByTrustedCa_ThrowsUnavailable()
    {
        using var pki = new TestPki();
        using var other = new TestPki("another-ca");
        using var directory = new TempDirectory();
        await using var etcd = await FakeEtcdServer.StartAsync((pki.IssueServer(), pki.Ca));
        var (certFile, keyFile) = TestPki.WritePem(pki.IssueClient("client"), directory, "client");
        var options = Options(etcd.Endpoint);
        options.CaFile = directory.Write("ca.crt", other.CaPem);
        options.CertFile = certFile;
        options.KeyFile = keyFile;
        await using var source = new EtcdRevisionSource(options, TimeProvider.System, logger: null, handler: null);

        var error = await Assert.ThrowsAsync<RevisionSourceUnavailableException>(
            () => source.GetTargetAsync(Pods, 50, CancellationToken.None).AsTask().WaitAsync(Guard));

        Assert.Contains("could not be reached", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UnreadableClientKey_ThrowsConfigurationErrorNamingTheKeys()
    {
        using var pki = new TestPki();
        using var directory = new TempDirectory();
        var options = Options(new Uri("https://127.0.0.1:2379/"));
        options.CertFile = directory.Write("client.crt", TestPki.ToPem(pki.IssueClient("client")).CertificatePem);
        options.KeyFile = directory.Write("client.key", "not a key");

        var error = Assert.Throws<ApiCacheConfigurationException>(() => new EtcdRevisionSource(options, TimeProvider.System, logger: null, handler: null));

        Assert.StartsWith("ApiCache:ConsistentReads:Etcd:CertFile/KeyFile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NoEndpoints_ThrowsConfigurationErrorNamingTheKey()
    {
        var error = Assert.Throws<ApiCacheConfigurationException>(
            () => new EtcdRevisionSource(new EtcdRevisionSourceOptions(), TimeProvider.System, logger: null, handler: null));

        Assert.StartsWith("ApiCache:ConsistentReads:Etcd:Endpoints must list at least one", error.Message, StringComparison.Ordinal);
    }

    private static EtcdRevisionSourceOptions Options(Uri endpoint)
    {
        var options = new EtcdRevisionSourceOptions { RequestTimeout = TimeSpan.FromSeconds(10) };
        options.Endpoints.Add(endpoint.AbsoluteUri);
        return options;
    }

    private static EtcdRevisionSource NewSource(Uri endpoint) => new(Options(endpoint), TimeProvider.System, logger: null, handler: null);

    private static WatchResponse Events(params (string Key, long Revision)[] changes)
    {
        var response = new WatchResponse { WatchId = 1, Header = new ResponseHeader { Revision = changes.Max(c => c.Revision) } };
        foreach (var (key, revision) in changes)
        {
            response.Events.Add(new Event { Kv = new KeyValue { Key = ByteString.CopyFrom(Encoding.UTF8.GetBytes(key)), ModRevision = revision } });
        }

        return response;
    }
}
