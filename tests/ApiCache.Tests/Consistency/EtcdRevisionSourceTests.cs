using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ApiCache.Configuration;
using ApiCache.Consistency;
using ApiCache.Consistency.Etcd;
using ApiCache.DevServer.Etcd;
using ApiCache.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ApiCache.Tests.Consistency;

/// <summary>The etcd revision source against a real etcd (the shared one of the etcd collection).</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class EtcdRevisionSourceTests : IAsyncLifetime
{
    /// <summary>Failure guard for waits on etcd.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly EtcdFixture _etcd;
    private readonly ITestOutputHelper _output;
    private readonly EtcdClient _client;
    private readonly string _root = EtcdFixture.NewKeyPrefix();
    private EtcdRevisionSource _source = null!;

    public EtcdRevisionSourceTests(EtcdFixture etcd, ITestOutputHelper output)
    {
        _etcd = etcd;
        _output = output;
        _client = etcd.CreateClient();
    }

    private CachedResourceReference Pods => new("", "v1", "pods", _root + "/registry/pods/");

    private CachedResourceReference ConfigMaps => new("", "v1", "configmaps", _root + "/registry/configmaps/");

    public Task InitializeAsync()
    {
        _source = NewSource();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        _client.Dispose();
    }

    [Fact]
    public async Task GetTargetAsync_OtherPrefixesChanged_WaitsForCachedRevisionAtCurrent()
    {
        var cached = await PutAsync("/registry/pods/default/a", "1");
        await PutAsync("/registry/configmaps/default/x", "1");
        await PutAsync("/registry/podsecurity/default/y", "1");
        var latest = await PutAsync("/registry/configmaps/default/x", "2");

        var target = await _source.GetTargetAsync(Pods, cached, CancellationToken.None);

        Assert.Equal(cached, target.WaitFor);
        Assert.True(target.Current >= latest, $"current {target.Current}, latest write {latest}");
    }

    [Fact]
    public async Task GetTargetAsync_PrefixChanged_WaitsForItsLastChangeIncludingDelete()
    {
        var cached = await PutAsync("/registry/pods/default/a", "1");
        await PutAsync("/registry/pods/default/b", "1");
        await PutAsync("/registry/pods/default/a", "2");
        var deleted = await DeleteAsync("/registry/pods/default/b");
        var latest = await PutAsync("/registry/configmaps/default/x", "1");

        var target = await _source.GetTargetAsync(Pods, cached, CancellationToken.None);

        Assert.Equal(deleted, target.WaitFor);
        Assert.True(target.Current >= latest, $"current {target.Current}, latest write {latest}");
    }

    [Fact]
    public async Task GetTargetAsync_PrefixChangedLast_WaitsForCurrent()
    {
        var cached = await PutAsync("/registry/pods/default/a", "1");
        await PutAsync("/registry/configmaps/default/x", "1");
        var last = await PutAsync("/registry/pods/default/a", "2");

        var target = await _source.GetTargetAsync(Pods, cached, CancellationToken.None);

        // Later writes by other tests may raise Current, never WaitFor.
        Assert.Equal(last, target.WaitFor);
        Assert.True(target.Current >= last);
    }

    [Fact]
    public async Task GetTargetAsync_CacheAtOrPastCurrent_WaitsForNothing()
    {
        var written = await PutAsync("/registry/pods/default/a", "1");
        var ahead = written + 1_000_000;

        var target = await _source.GetTargetAsync(Pods, ahead, CancellationToken.None);

        Assert.Equal(new RevisionTarget(ahead, ahead), target);
    }

    [Fact]
    public async Task GetTargetAsync_CompactedCacheRevision_WaitsForCurrent()
    {
        var cached = await PutAsync("/registry/pods/default/a", "1");
        await PutAsync("/registry/configmaps/default/x", "1");
        var compactedTo = await PutAsync("/registry/configmaps/default/x", "2");
        await _client.CompactAsync(compactedTo, physical: true, CancellationToken.None);

        var target = await _source.GetTargetAsync(Pods, cached, CancellationToken.None);

        // Whether the pods changed since is unknowable: the read waits for the current revision itself.
        Assert.Equal(target.Current, target.WaitFor);
        Assert.True(target.Current >= compactedTo);
    }

    [Fact]
    public async Task GetTargetAsync_SequentialCalls_EachLooksUpAfterArriving()
    {
        var cached = await PutAsync("/registry/pods/default/a", "1");
        var first = await _source.GetTargetAsync(Pods, cached, CancellationToken.None);
        var written = await PutAsync("/registry/pods/default/a", "2");

        var second = await _source.GetTargetAsync(Pods, cached, CancellationToken.None);

        Assert.Equal(cached, first.WaitFor);
        Assert.Equal(written, second.WaitFor);
        Assert.Equal(2, _source.LookupCount);
    }

    [Fact]
    public async Task GetTargetAsync_CallsArrivingDuringLookup_ShareOneLaterLookupThatSeesTheirWrites()
    {
        await using var gate = new WatchGateHandler(EtcdGrpcClient.CreateHandler(Options()));
        await using var source = NewSource(gate);
        var cached = await PutAsync("/registry/pods/default/a", "1");
        await PutAsync("/registry/pods/default/a", "2");

        // The first lookup learns the current revision, then waits at its watch...
        var first = source.GetTargetAsync(Pods, cached, CancellationToken.None).AsTask();
        await gate.FirstWatchArrived.WaitAsync(Guard);

        // ...while a write lands and two more reads arrive; they must not be served by the first lookup.
        var written = await PutAsync("/registry/pods/default/b", "1");
        var second = source.GetTargetAsync(Pods, cached, CancellationToken.None).AsTask();
        var third = source.GetTargetAsync(Pods, cached + 1, CancellationToken.None).AsTask();
        gate.Release();
        var results = await Task.WhenAll(first, second, third).WaitAsync(Guard);

        Assert.True(results[0].Current < written, $"the first lookup's current {results[0].Current} predates the write {written}");
        Assert.Equal(written, results[1].WaitFor);
        Assert.Equal(written, results[2].WaitFor);
        Assert.True(results[1].Current >= written && results[2].Current >= written);
        Assert.Equal(2, source.LookupCount);
    }

    [Fact]
    public async Task GetTargetAsync_ThroughDevServerEtcdStore_WaitsForLastConfigMapWrite()
    {
        await using var host = await DevServerHost.StartAsync(store: _etcd.CreateStore(_root));
        var before = long.Parse((await host.CreateConfigMapAsync("default", "first"))["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        var created = long.Parse((await host.CreateConfigMapAsync("default", "second"))["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        var pod = long.Parse((await host.CreatePodAsync("default", "p"))["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

        // The resolver lays the keys out as the apiserver (and so the dev server) does.
        var errors = new List<string>();
        var definitions = ApiCache.Caching.CachedResourceResolver.Resolve(new CacheOptions(), errors, _root + "/registry");
        Assert.Empty(errors);
        var configMaps = definitions.Single(d => d.Resource == "configmaps").Reference;
        var target = await _source.GetTargetAsync(configMaps, before, CancellationToken.None);

        Assert.Equal(ConfigMaps.EtcdKeyPrefix, configMaps.EtcdKeyPrefix);
        Assert.Equal(created, target.WaitFor);
        Assert.True(target.Current >= pod, $"current {target.Current}, pod written at {pod}");
    }

    [Fact]
    public async Task GetTargetAsync_NothingListening_ThrowsUnavailable()
    {
        var port = ClosedPort();
        await using var source = NewSource(endpoint: $"http://127.0.0.1:{port}");

        var error = await Assert.ThrowsAsync<RevisionSourceUnavailableException>(
            () => source.GetTargetAsync(Pods, 1, CancellationToken.None).AsTask().WaitAsync(Guard));

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.IsType<EtcdRpcException>(error.InnerException);
    }

    [Fact]
    public async Task GetTargetAsync_EndpointNeverAnswers_ThrowsUnavailableAfterRequestTimeout()
    {
        // Accepts connections and never answers: only the request time-out ends the lookup.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var source = NewSource(endpoint: $"http://127.0.0.1:{port}", requestTimeout: TimeSpan.FromMilliseconds(300));

        var error = await Assert.ThrowsAsync<RevisionSourceUnavailableException>(
            () => source.GetTargetAsync(Pods, 1, CancellationToken.None).AsTask().WaitAsync(Guard));

        Assert.Contains("within 300 ms", error.Message, StringComparison.Ordinal);
        Assert.Contains("ApiCache:ConsistentReads:Etcd:RequestTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTargetAsync_FirstEndpointDown_UsesTheNextOne()
    {
        await using var source = NewSource(endpoints: [$"http://127.0.0.1:{ClosedPort()}", _etcd.Endpoint.AbsoluteUri]);
        var cached = await PutAsync("/registry/pods/default/a", "1");
        var written = await PutAsync("/registry/pods/default/a", "2");

        var target = await source.GetTargetAsync(Pods, cached, CancellationToken.None);

        Assert.Equal(written, target.WaitFor);
    }

    [Fact]
    public async Task GetTargetAsync_RepeatedLookups_LogsTheirDuration()
    {
        // Not asserted on time: the log shows how long a lookup takes on this machine.
        var cached = await PutAsync("/registry/pods/default/a", "1");
        var durations = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var written = await PutAsync("/registry/pods/default/a", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var clock = Stopwatch.StartNew();
            var target = await _source.GetTargetAsync(Pods, cached, CancellationToken.None);
            durations.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Equal(written, target.WaitFor);
            cached = written;
        }

        var unchanged = Stopwatch.StartNew();
        await _source.GetTargetAsync(Pods, cached, CancellationToken.None);
        durations.Sort();
        _output.WriteLine($"changed prefix: median {durations[durations.Count / 2]:0.0} ms, max {durations[^1]:0.0} ms; cache current: {unchanged.Elapsed.TotalMilliseconds:0.0} ms");
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private EtcdRevisionSourceOptions Options(IEnumerable<string>? endpoints = null, TimeSpan? requestTimeout = null)
    {
        var options = new EtcdRevisionSourceOptions { RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(10) };
        foreach (var endpoint in endpoints ?? [_etcd.Endpoint.AbsoluteUri])
        {
            options.Endpoints.Add(endpoint);
        }

        return options;
    }

    private EtcdRevisionSource NewSource(HttpMessageHandler? handler = null, string? endpoint = null, TimeSpan? requestTimeout = null, string[]? endpoints = null) =>
        new(Options(endpoints ?? (endpoint is null ? null : [endpoint]), requestTimeout), TimeProvider.System, logger: null, handler);

    private async Task<long> PutAsync(string key, string value)
    {
        var response = await _client.TxnAsync(
            new EtcdTxnRequest { Success = [new EtcdRequestOp { RequestPut = new EtcdPutRequest { Key = Key(key), Value = Encoding.UTF8.GetBytes(value) } }] },
            CancellationToken.None);
        return response.Header.Revision;
    }

    private async Task<long> DeleteAsync(string key)
    {
        var response = await _client.TxnAsync(
            new EtcdTxnRequest { Success = [new EtcdRequestOp { RequestDeleteRange = new EtcdDeleteRangeRequest { Key = Key(key) } }] },
            CancellationToken.None);
        return response.Header.Revision;
    }

    private byte[] Key(string key) => Encoding.UTF8.GetBytes(_root + key);

    /// <summary>Holds the first Watch call until released, so a test can act while a lookup is under way.</summary>
    private sealed class WatchGateHandler(HttpMessageHandler inner) : DelegatingHandler(inner), IAsyncDisposable
    {
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _watches;

        public Task FirstWatchArrived => _arrived.Task;

        public void Release() => _released.TrySetResult();

        public ValueTask DisposeAsync()
        {
            Release();
            Dispose();
            return ValueTask.CompletedTask;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath == EtcdGrpcClient.WatchMethod && Interlocked.Increment(ref _watches) == 1)
            {
                _arrived.TrySetResult();
                await _released.Task.WaitAsync(cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
