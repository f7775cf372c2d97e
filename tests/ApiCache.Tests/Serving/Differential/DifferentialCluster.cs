using System.Text.Json.Nodes;
using ApiCache.Caching;
using ApiCache.DevServer.Storage;
using ApiCache.Metrics;
using ApiCache.Tests.Caching;
using ApiCache.Tests.DevServer.Differential;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Serving.Differential;

/// <summary>
/// The two sides of the differential run: the dev API server (the upstream, over the store the test
/// chooses) holding the fixtures' recorded cluster plus an empty namespace and a namespace of bulk
/// configmaps (a list of more than 128 KiB), and ApiCache in front of it as a proxy with its cache on
/// for pods (indexed by spec.nodeName), nodes, configmaps, namespaces and the widgets CRD.
/// </summary>
internal sealed class DifferentialCluster : IAsyncDisposable
{
    /// <summary>
    /// The bulk namespace's configmaps: like the fixture's list over 128 KiB (one configmap holding
    /// 140 000 'x', which gzip shrinks below 2 KiB), plus a few small ones to page through.
    /// </summary>
    private const int BulkConfigMaps = 4;

    private DifferentialCluster(DevServerHost upstream, LoopbackServer proxy, long seedRevision, ReadPathRecorder paths)
    {
        Upstream = upstream;
        Proxy = proxy;
        SeedRevision = seedRevision;
        Paths = paths;
        Registry = proxy.Services.GetRequiredService<CacheRegistry>();
    }

    /// <summary>The dev server: the proxy's upstream, and the direct side of every comparison.</summary>
    public DevServerHost Upstream { get; }

    /// <summary>ApiCache as a proxy.</summary>
    public LoopbackServer Proxy { get; }

    /// <summary>The proxy's caches.</summary>
    public CacheRegistry Registry { get; }

    /// <summary>How the proxy answered each read.</summary>
    public ReadPathRecorder Paths { get; }

    /// <summary>The upstream's revision once seeded, before the proxy started (older than the caches' history).</summary>
    public long SeedRevision { get; }

    /// <summary>Starts the upstream over <paramref name="store"/> (null: in memory), seeds it, starts the proxy and waits for its caches.</summary>
    public static async Task<DifferentialCluster> StartAsync(IRevisionedStore? store)
    {
        var upstream = await DevServerHost.StartAsync(
            options =>
            {
                // Quick bookmarks let idle caches catch up with the revision soon after a write elsewhere;
                // a short too-large wait keeps the future-revision cells quick (the 504 is the same).
                options.BookmarkInterval = TimeSpan.FromMilliseconds(50);
                options.TooLargeResourceVersionWait = TimeSpan.FromMilliseconds(100);
            },
            store ?? new InMemoryRevisionedStore(new InMemoryStoreOptions { ProgressInterval = TimeSpan.FromMilliseconds(50) }));
        LoopbackServer? proxy = null;
        ReadPathRecorder? paths = null;
        try
        {
            await FixtureClusterSeed.SeedAsync(upstream);
            await upstream.CreateNamespaceAsync(DifferentialMatrix.EmptyNamespace);
            await upstream.CreateNamespaceAsync(DifferentialMatrix.BulkNamespace);
            await upstream.CreateConfigMapAsync("team-a", "escapes", """{"app":"web"}""", """{"text":"<a & b>\n\"q\" \\ \t é ☃ \ud83d\ude00 \u2028 \u007f"}""");
            for (var i = 0; i < BulkConfigMaps; i++)
            {
                var data = new JsonObject { ["blob"] = new string('x', i == 0 ? 140_000 : 100) };
                await upstream.CreateConfigMapAsync(DifferentialMatrix.BulkNamespace, i == 0 ? "big-blob" : $"small-{i}", """{"app":"bulk"}""", data.ToJsonString());
            }

            var seedRevision = await upstream.Store.GetRevisionAsync(CancellationToken.None);
            proxy = await ProxyHost.StartAsync(upstream.Address, options =>
            {
                options.Cache.Enabled = true;
                options.Cache.Resources =
                [
                    new() { Resource = "pods", IndexedFields = ["spec.nodeName"] },
                    new() { Resource = "nodes" },
                    new() { Resource = "configmaps" },
                    new() { Resource = "namespaces" },
                    new() { Group = "example.com", Version = "v1", Resource = "widgets", Namespaced = true },
                ];
                // Reads come only once the caches have caught up (SyncAsync), so a consistent read
                // never needs to wait; the timeout only bounds the future-revision cells.
                options.ConsistentReads.WaitTimeout = TimeSpan.FromMilliseconds(100);
            });
            paths = new ReadPathRecorder(proxy.Services.GetRequiredService<ApiCacheMetrics>().Meter);
            var cluster = new DifferentialCluster(upstream, proxy, seedRevision, paths);
            Assert.Equal(DifferentialResource.All.Select(r => r.DisplayName).Order(), cluster.Registry.Resources.Select(r => r.Definition.DisplayName).Order());
            foreach (var resource in cluster.Registry.Resources)
            {
                await CacheWait.UntilReadyAsync(resource.Cache);
            }

            return cluster;
        }
        catch
        {
            paths?.Dispose();
            if (proxy is not null)
            {
                await proxy.DisposeAsync();
            }

            await upstream.DisposeAsync();
            throw;
        }
    }

    /// <summary>The upstream's current revision.</summary>
    public async Task<long> RevisionAsync() => await Upstream.Store.GetRevisionAsync(CancellationToken.None);

    /// <summary>
    /// Returns once every cache has reached the upstream's current revision (through events, or the
    /// bookmarks that follow writes to other resources), so that both sides answer from the same state.
    /// </summary>
    public async Task<long> SyncAsync()
    {
        var revision = await RevisionAsync();
        foreach (var resource in Registry.Resources)
        {
            await CacheWait.UntilFreshAsync(resource.Cache, revision);
        }

        return revision;
    }

    public async ValueTask DisposeAsync()
    {
        Paths.Dispose();
        await Proxy.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
