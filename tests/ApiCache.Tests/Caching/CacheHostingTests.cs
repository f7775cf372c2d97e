using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.Informers;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Caching;

/// <summary>
/// The informer cache through the real hosting path: the library hosted in-process (AddApiCache +
/// MapApiCache, cache enabled) in front of the dev API server. The hosted service starts the
/// reflectors, the caches fill and show at /metrics, and stopping the host ends the reflectors.
/// </summary>
public sealed class CacheHostingTests : IAsyncLifetime
{
    private const int PodCount = 5;

    private DevServerHost? _upstream;

    private DevServerHost Upstream => _upstream!;

    public async Task InitializeAsync()
    {
        _upstream = await DevServerHost.StartAsync();
        await Upstream.CreateNamespaceAsync("team-a");
        for (var i = 0; i < PodCount; i++)
        {
            await Upstream.CreatePodAsync("team-a", $"p-{i}", i % 2 == 0 ? "node-1" : null);
        }

        await Upstream.CreateAsync("/api/v1/nodes", """{"apiVersion":"v1","kind":"Node","metadata":{"name":"node-1"}}""");
    }

    public async Task DisposeAsync()
    {
        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }
    }

    [Fact]
    public async Task Host_CacheEnabled_ReflectorsFillTheCachesShowInMetricsAndStopWithTheHost()
    {
        await using var proxy = await ProxyHost.StartAsync(Upstream.Address, options =>
        {
            options.Cache.Enabled = true;
            options.Cache.ListPageSize = 2;
            options.Cache.Resources =
            [
                new CachedResourceOptions { Resource = "pods" },
                new CachedResourceOptions { Resource = "nodes" },
            ];
        });
        var registry = proxy.Services.GetRequiredService<CacheRegistry>();
        Assert.Equal(2, registry.Resources.Count);
        foreach (var resource in registry.Resources)
        {
            await CacheWait.UntilReadyAsync(resource.Cache);
        }

        using var client = new HttpClient { BaseAddress = proxy.Address };
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.True(registry.TryGet("", "pods", out var pods));
        Assert.Equal(PodCount, pods.Cache.Count);
        Assert.Contains($"\napicache_cache_objects{{group=\"\",resource=\"pods\"}} {PodCount}\n", metrics, StringComparison.Ordinal);
        Assert.Contains("\napicache_cache_objects{group=\"\",resource=\"nodes\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("\napicache_cache_ready{group=\"\",resource=\"pods\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("\napicache_cache_ready{group=\"\",resource=\"nodes\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("\napicache_cache_relists_total{group=\"\",reason=\"Initial\",resource=\"pods\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("\napicache_cache_relists_total{group=\"\",reason=\"Expired\",resource=\"pods\"} 0\n", metrics, StringComparison.Ordinal);

        // Stopping the host stops the reflectors (their watches are cancelled); the guard only catches a hang.
        await proxy.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(registry.Resources, r => Assert.Equal(ReflectorState.Stopped, r.Reflector.State));
        Assert.Equal(PodCount, pods.Cache.Count);
    }
}
