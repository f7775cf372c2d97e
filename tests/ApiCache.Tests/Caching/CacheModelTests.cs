using System.Globalization;
using System.Text;
using System.Text.Json;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.DevServer.Storage;
using ApiCache.Informers;
using ApiCache.Selectors;
using ApiCache.Storage;
using ApiCache.Tests.Infrastructure;
using ApiCache.Upstream;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace ApiCache.Tests.Caching;

/// <summary>
/// The randomized model test of the informer cache. A seeded random sequence of pod creates, label
/// and field changes and deletes goes to a real dev API server, while the cache's reflector reaches
/// that server through a <see cref="TcpRelay"/> that the test uses to cut connections, hold the
/// upstream away while it compacts the store (forcing 410 and a re-list), and restart the server.
/// At sampled points the cache's state at the upstream's current resource version must equal, byte
/// for byte, the upstream's LIST at exactly that version (with and without selectors, and at an
/// earlier version still in both histories), and a follower that replays the cache's event history
/// must hold the same state, having seen only valid transitions.
/// Set APICACHE_MODEL_OPERATIONS to run longer than CI does.
/// </summary>
public abstract class CacheModelTests(ITestOutputHelper output)
{
    private const int DefaultOperations = 600;
    private const int SampleEvery = 20;
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private static readonly string[] Namespaces = ["model-a", "model-b", "model-a-b"];
    private static readonly string[] Nodes = ["node-1", "node-2", "node-3", "node-4"];
    private static readonly string[] Apps = ["web", "db", "cache"];

    private protected abstract IRevisionedStore CreateStore();

    private protected async Task RunAsync(int seed)
    {
        var operations = int.TryParse(Environment.GetEnvironmentVariable("APICACHE_MODEL_OPERATIONS"), CultureInfo.InvariantCulture, out var configured)
            ? configured
            : DefaultOperations;
        var random = new Random(seed);
        var store = CreateStore();
        var host = await DevServerHost.StartAsync(store: store);
        await using var relay = TcpRelay.Start(host.Address);
        var model = new Model(host, random);
        try
        {
            foreach (var ns in Namespaces)
            {
                await host.CreateNamespaceAsync(ns);
            }

            for (var i = 0; i < 12; i++)
            {
                await model.CreateAsync();
            }

            var options = Options.Create(new ApiCacheOptions
            {
                Upstream = { Servers = { new UpstreamServerOptions { Url = relay.Address.ToString() } } },
                Security = { Mode = SecurityMode.Trusted },
                Cache =
                {
                    ListPageSize = 5,
                    MinWatchTimeout = TimeSpan.FromSeconds(2),
                    InitialBackoff = TimeSpan.FromMilliseconds(20),
                    MaxBackoff = TimeSpan.FromMilliseconds(200),
                    Resources = [new CachedResourceOptions { Resource = "pods" }],
                },
            });
            using var endpoints = new UpstreamEndpointSet(options, TimeProvider.System, NullLoggerFactory.Instance);
            await using var registry = new CacheRegistry(options, endpoints, TimeProvider.System, NullLoggerFactory.Instance);
            var pods = registry.Resources.Single();
            using var stopping = new CancellationTokenSource();
            registry.Start();
            await CacheWait.UntilReadyAsync(pods.Cache);
            var follower = new Follower(pods.Cache);
            var following = follower.RunAsync(stopping.Token);

            var compactions = 0;
            var restarts = 0;
            var drops = 0;
            var pastChecks = 0;
            var versions = new List<long>();
            for (var step = 1; step <= operations; step++)
            {
                // Chaos: each kind happens at least once per run, at fixed points, plus at random.
                var roll = random.NextDouble();
                if (step == operations / 3 || roll < 0.005)
                {
                    // From a cache that is watching at the current version, so the 410 is certain.
                    await WaitUntilFreshAsync(host, pods.Cache, $"seed {seed}, step {step}, before compacting");
                    await CompactWhileAwayAsync(relay, store, model);
                    compactions++;
                }
                else if (step == 2 * operations / 3 || roll < 0.015)
                {
                    var restarted = await DevServerHost.StartAsync(store: store);
                    relay.Backend = restarted.Address;
                    relay.DropConnections();
                    await host.DisposeAsync();
                    host = restarted;
                    model.Host = host;
                    restarts++;
                }
                else if (roll < 0.065)
                {
                    drops += relay.DropConnections() > 0 ? 1 : 0;
                }

                await model.StepAsync();
                if (step % SampleEvery == 0 || step == operations)
                {
                    var version = await CheckAsync(host, pods.Cache, follower, random, $"seed {seed}, step {step}");
                    versions.Add(version);
                    if (versions.Count > 1)
                    {
                        // One of the last few checked versions: usually still inside both histories.
                        var earlier = versions[Math.Max(0, versions.Count - 2 - random.Next(3))];
                        pastChecks += await CheckPastAsync(host, pods.Cache, earlier, $"seed {seed}, step {step}") ? 1 : 0;
                    }
                }
            }

            await stopping.CancelAsync();
            await following;
            await registry.StopAsync();

            var reflector = pods.Reflector;
            output.WriteLine(
                $"seed {seed}: {operations} operations, {model.Count} pods at the end, {drops} drops, {compactions} compactions, {restarts} restarts, " +
                $"watch restarts {reflector.WatchRestarts}, re-lists: expired {reflector.GetRelistCount(RelistReason.Expired)}, " +
                $"list failed {reflector.GetRelistCount(RelistReason.ListFailed)}, past-state checks {pastChecks}, follower events {follower.Events}");

            // Re-lists happen only where the upstream said 410: once per compaction that overtook the cache.
            Assert.Equal(1, reflector.GetRelistCount(RelistReason.Initial));
            Assert.Equal(compactions, reflector.GetRelistCount(RelistReason.Expired));
            Assert.Equal(0, reflector.GetRelistCount(RelistReason.DecodeError));
            Assert.True(reflector.WatchRestarts > 0, "cut connections resume the watch");
            Assert.Equal(0, follower.Resyncs);
            Assert.True(pastChecks > 0, "at least one earlier state was compared");
        }
        finally
        {
            await host.DisposeAsync();
            (store as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// Keeps the reflector away from the upstream, writes, and compacts the store past the cache's
    /// version, so its resumed watch gets 410 Expired and it must re-list.
    /// </summary>
    private static async Task CompactWhileAwayAsync(TcpRelay relay, IRevisionedStore store, Model model)
    {
        var backend = relay.Backend;
        relay.Backend = new Uri("http://127.0.0.1:1");
        relay.DropConnections();
        for (var i = 0; i < 3; i++)
        {
            await model.StepAsync();
        }

        var revision = await store.GetRevisionAsync(CancellationToken.None);
        await store.CompactAsync(revision, CancellationToken.None);
        relay.Backend = backend;
    }

    /// <summary>
    /// Waits until the cache has the upstream's current version, then compares it (all, by node, by
    /// label) with the upstream's LIST at exactly that version, and the follower with the cache.
    /// </summary>
    private static async Task<long> CheckAsync(DevServerHost host, WatchCache cache, Follower follower, Random random, string where)
    {
        var version = await WaitUntilFreshAsync(host, cache, where);

        Assert.True(cache.TrySnapshotAt(version, out var cached), $"{where}: no state at {version}");
        var upstream = await ListExactAsync(host, version, "");
        AssertSame(upstream, cached, $"{where}: all pods at {version}");

        var node = Nodes[random.Next(Nodes.Length)];
        var app = Apps[random.Next(Apps.Length)];
        await AssertQueryAsync(host, cache, version, $"fieldSelector=spec.nodeName%3D{node}", new StoreQuery { FieldSelector = FieldSelector.Parse("spec.nodeName=" + node) }, where);
        await AssertQueryAsync(host, cache, version, $"labelSelector=app%3D{app}", new StoreQuery { LabelSelector = LabelSelector.Parse("app=" + app) }, where);
        await AssertQueryAsync(host, cache, version, "labelSelector=!tier", new StoreQuery { LabelSelector = LabelSelector.Parse("!tier") }, where);
        var ns = Namespaces[random.Next(Namespaces.Length)];
        var nsUpstream = await ListExactAsync(host, version, "", ns);
        var nsCached = new List<CachedObject>();
        Assert.True(cache.TryQueryAt(version, new StoreQuery { Namespace = ns }, nsCached, out _));
        AssertSame(nsUpstream, nsCached, $"{where}: namespace {ns}");

        await follower.WaitUntilAsync(version);
        var replayed = follower.State();
        Assert.Equal(cached.Count, replayed.Count);
        foreach (var item in cached)
        {
            Assert.True(replayed.TryGetValue(item.Key, out var json), $"{where}: follower lacks {item.Key}");
            Assert.Equal(Encoding.UTF8.GetString(item.Json), Encoding.UTF8.GetString(json));
        }

        return version;
    }

    /// <summary>Waits until the cache is ready and has the upstream's current version; returns that version.</summary>
    private static async Task<long> WaitUntilFreshAsync(DevServerHost host, WatchCache cache, string where)
    {
        var version = await CurrentVersionAsync(host);
        await CacheWait.UntilFreshAsync(cache, version);
        await CacheWait.UntilAsync(cache, () => cache.IsReady, $"{where}: ready");
        return version;
    }

    /// <summary>An earlier version both histories still hold: the cache's rebuilt state equals the upstream's LIST there.</summary>
    private static async Task<bool> CheckPastAsync(DevServerHost host, WatchCache cache, long version, string where)
    {
        if (!cache.TrySnapshotAt(version, out var cached))
        {
            return false;
        }

        using var response = await host.Client.GetAsync($"/api/v1/pods?resourceVersion={version}&resourceVersionMatch=Exact");
        if ((int)response.StatusCode == 410)
        {
            return false;
        }

        response.EnsureSuccessStatusCode();
        AssertSame(Items(await response.Content.ReadAsByteArrayAsync()), cached, $"{where}: all pods at the earlier version {version}");
        return true;
    }

    private static async Task AssertQueryAsync(DevServerHost host, WatchCache cache, long version, string query, StoreQuery storeQuery, string where)
    {
        var upstream = await ListExactAsync(host, version, "&" + query);
        var cached = new List<CachedObject>();
        Assert.True(cache.TryQueryAt(version, storeQuery, cached, out _));
        AssertSame(upstream, cached, $"{where}: {query} at {version}");
    }

    private static void AssertSame(List<string> upstream, List<CachedObject> cached, string what)
    {
        Assert.True(upstream.Count == cached.Count, $"{what}: upstream has {upstream.Count} pods, the cache {cached.Count}");
        for (var i = 0; i < upstream.Count; i++)
        {
            Assert.Equal(upstream[i], Encoding.UTF8.GetString(cached[i].Json));
        }
    }

    private static async Task<long> CurrentVersionAsync(DevServerHost host)
    {
        using var response = await host.Client.GetAsync("/api/v1/pods?limit=1");
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        return long.Parse(document.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!, CultureInfo.InvariantCulture);
    }

    private static async Task<List<string>> ListExactAsync(DevServerHost host, long version, string query, string? ns = null)
    {
        var path = ns is null ? "/api/v1/pods" : $"/api/v1/namespaces/{ns}/pods";
        using var response = await host.Client.GetAsync($"{path}?resourceVersion={version}&resourceVersionMatch=Exact{query}");
        response.EnsureSuccessStatusCode();
        return Items(await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Each item of a list as its exact JSON text.</summary>
    private static List<string> Items(byte[] list)
    {
        using var document = JsonDocument.Parse(list);
        return [.. document.RootElement.GetProperty("items").EnumerateArray().Select(item => item.GetRawText())];
    }

    /// <summary>The pods the test created and still has, and the random operations on them.</summary>
    private sealed class Model(DevServerHost host, Random random)
    {
        private readonly List<(string Namespace, string Name)> _pods = [];
        private int _next;

        public DevServerHost Host { get; set; } = host;

        public int Count => _pods.Count;

        public async Task StepAsync()
        {
            var roll = random.NextDouble();
            if (_pods.Count < 4 || roll < 0.35)
            {
                await CreateAsync();
            }
            else if (roll < 0.55)
            {
                await PatchAsync(LabelPatch());
            }
            else if (roll < 0.65)
            {
                await PatchAsync("{\"metadata\":{\"annotations\":{\"touched\":\"" + random.Next(1000) + "\"}}}");
            }
            else if (roll < 0.75)
            {
                await PatchAsync("{\"status\":{\"phase\":\"" + (random.Next(2) == 0 ? "Running" : "Pending") + "\"}}", "/status");
            }
            else
            {
                var index = random.Next(_pods.Count);
                var (ns, name) = _pods[index];
                _pods.RemoveAt(index);
                var (status, _, text) = await Host.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/{name}");
                Assert.True(status == 200, $"delete {ns}/{name}: {status} {text}");
            }
        }

        public async Task CreateAsync()
        {
            var ns = Namespaces[random.Next(Namespaces.Length)];
            var name = $"pod-{_next++:D4}";
            var node = random.Next(5) == 0 ? null : Nodes[random.Next(Nodes.Length)];
            await Host.CreatePodAsync(ns, name, node, Labels());
            _pods.Add((ns, name));
        }

        private async Task PatchAsync(string patch, string subresource = "")
        {
            var (ns, name) = _pods[random.Next(_pods.Count)];
            var (status, _, text) = await Host.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/pods/{name}{subresource}", patch, "application/merge-patch+json");
            Assert.True(status == 200, $"patch {ns}/{name}{subresource}: {status} {text}");
        }

        private string Labels()
        {
            var labels = new List<string>();
            if (random.Next(4) != 0)
            {
                labels.Add($"\"app\":\"{Apps[random.Next(Apps.Length)]}\"");
            }

            if (random.Next(2) == 0)
            {
                labels.Add($"\"tier\":\"t{random.Next(3)}\"");
            }

            return "{" + string.Join(",", labels) + "}";
        }

        private string LabelPatch() => random.Next(3) switch
        {
            0 => "{\"metadata\":{\"labels\":{\"app\":\"" + Apps[random.Next(Apps.Length)] + "\"}}}",
            1 => "{\"metadata\":{\"labels\":{\"tier\":null}}}",
            _ => "{\"metadata\":{\"labels\":{\"tier\":\"t" + random.Next(3) + "\",\"app\":null}}}",
        };
    }

    /// <summary>
    /// Follows the cache's event history as a watch dispatcher does, from a snapshot, applying each
    /// event to its own copy and checking it is a valid transition (ADDED only for absent keys,
    /// MODIFIED/DELETED only for present ones with the right previous state, versions never going back).
    /// </summary>
    private sealed class Follower(WatchCache cache)
    {
        private readonly Dictionary<ObjectKey, byte[]> _state = [];
        private readonly Lock _gate = new();
        private long _caughtUp;
        private TaskCompletionSource _moved = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Exception? _failure;

        public int Resyncs { get; private set; }

        public long Events { get; private set; }

        public Dictionary<ObjectKey, byte[]> State()
        {
            lock (_gate)
            {
                return new Dictionary<ObjectKey, byte[]>(_state);
            }
        }

        public async Task WaitUntilAsync(long version)
        {
            using var guard = new CancellationTokenSource(Guard);
            while (Volatile.Read(ref _caughtUp) < version && _failure is null)
            {
                var moved = Volatile.Read(ref _moved).Task;
                if (Volatile.Read(ref _caughtUp) < version)
                {
                    await moved.WaitAsync(guard.Token);
                }
            }

            Assert.Null(_failure);
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var last = Resync();
            var batch = new List<WatchCacheEvent>();
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    var next = cache.NextChangeAsync(cancellationToken);
                    var reached = cache.ResourceVersion;
                    batch.Clear();
                    if (!cache.TryGetEventsSince(last, batch))
                    {
                        Resyncs++;
                        last = Resync();
                        continue;
                    }

                    lock (_gate)
                    {
                        foreach (var e in batch)
                        {
                            Apply(e, last);
                            last = e.ResourceVersion;
                        }
                    }

                    last = Math.Max(last, reached);
                    Moved(reached);
                    await next;
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _failure = e;
                Moved(long.MaxValue);
            }
        }

        private void Moved(long version)
        {
            Volatile.Write(ref _caughtUp, version);
            Interlocked.Exchange(ref _moved, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }

        private void Apply(WatchCacheEvent e, long last)
        {
            Events++;
            Assert.True(e.ResourceVersion >= last, $"event at {e.ResourceVersion} after {last}");
            var key = e.Object.Key;
            var present = _state.TryGetValue(key, out var current);
            switch (e.Type)
            {
                case WatchEventType.Added:
                    Assert.False(present, $"ADDED {key} at {e.ResourceVersion} but it exists");
                    _state[key] = e.Object.Json;
                    break;
                case WatchEventType.Modified:
                    Assert.True(present, $"MODIFIED {key} at {e.ResourceVersion} but it does not exist");
                    Assert.Equal(Encoding.UTF8.GetString(current!), Encoding.UTF8.GetString(e.Previous!.Json));
                    _state[key] = e.Object.Json;
                    break;
                default:
                    Assert.True(present, $"DELETED {key} at {e.ResourceVersion} but it does not exist");
                    Assert.Equal(Encoding.UTF8.GetString(current!), Encoding.UTF8.GetString(e.Previous!.Json));
                    _state.Remove(key);
                    break;
            }
        }

        private long Resync()
        {
            var snapshot = cache.Snapshot(out var version);
            lock (_gate)
            {
                _state.Clear();
                foreach (var item in snapshot)
                {
                    _state[item.Key] = item.Json;
                }
            }

            Moved(version);
            return version;
        }
    }
}

/// <summary>The model test over the dev server's in-memory store.</summary>
public sealed class InMemoryCacheModelTests(ITestOutputHelper output) : CacheModelTests(output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public Task Cache_RandomChangesWithDisconnectsCompactionsAndRestarts_MatchesUpstreamAtEveryCheckedVersion(int seed) => RunAsync(seed);

    private protected override IRevisionedStore CreateStore() => new InMemoryRevisionedStore();
}

/// <summary>The model test over a real etcd.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class EtcdCacheModelTests(EtcdFixture etcd, ITestOutputHelper output) : CacheModelTests(output)
{
    [Theory]
    [InlineData(3)]
    public Task Cache_RandomChangesWithDisconnectsCompactionsAndRestarts_MatchesUpstreamAtEveryCheckedVersion(int seed) => RunAsync(seed);

    private protected override IRevisionedStore CreateStore() => etcd.CreateStore();
}
