using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.DevServer.Storage;
using ApiCache.Informers;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Balancing.Failover;

/// <summary>
/// Three apiserver front ends over one shared in-memory store (each killable, some possibly
/// lagging), a fourth dev server on the same store that the test writes through, and the proxy
/// caching <see cref="Collections"/> (in that order: resource i prefers front end i) with all three
/// front ends as its upstream servers.
/// </summary>
internal sealed class FailoverCluster : IAsyncDisposable
{
    /// <summary>The cached collections, in the cache's resource order.</summary>
    public static readonly string[] Collections = ["/api/v1/configmaps", "/api/v1/pods", "/apis/example.com/v1/widgets"];

    private readonly InMemoryRevisionedStore _store;

    private FailoverCluster(InMemoryRevisionedStore store, DevServerHost writer, ApiServerFrontEnd[] frontEnds, LoopbackServer proxy)
    {
        _store = store;
        Writer = writer;
        FrontEnds = frontEnds;
        Proxy = proxy;
        ProxyClient = new HttpClient { BaseAddress = proxy.Address, Timeout = TimeSpan.FromSeconds(60) };
        Registry = proxy.Services.GetRequiredService<CacheRegistry>();
    }

    /// <summary>A dev server on the shared store that no proxy talks to: the test's writes go here.</summary>
    public DevServerHost Writer { get; }

    public IReadOnlyList<ApiServerFrontEnd> FrontEnds { get; }

    public LoopbackServer Proxy { get; }

    public HttpClient ProxyClient { get; }

    public CacheRegistry Registry { get; }

    /// <summary>Starts the cluster; front ends whose index is in <paramref name="lagging"/> read through a <see cref="LaggingStore"/>. Waits until every cache is ready.</summary>
    public static async Task<FailoverCluster> StartAsync(params int[] lagging)
    {
        var store = new InMemoryRevisionedStore();
        var writer = await DevServerHost.StartAsync(store: store);
        var frontEnds = new ApiServerFrontEnd[3];
        for (var i = 0; i < frontEnds.Length; i++)
        {
            frontEnds[i] = await ApiServerFrontEnd.StartAsync(store, lagging.Contains(i));
        }

        var proxy = await ProxyHost.StartAsync(options =>
        {
            foreach (var frontEnd in frontEnds)
            {
                options.Upstream.Servers.Add(new UpstreamServerOptions { Url = frontEnd.Address.ToString() });
            }

            options.Cache.Enabled = true;
            options.Cache.InitialBackoff = TimeSpan.FromMilliseconds(100);
            options.Cache.MaxBackoff = TimeSpan.FromSeconds(1);
            options.Cache.Resources =
            [
                new() { Resource = "configmaps" },
                new() { Resource = "pods" },
                new() { Group = "example.com", Version = "v1", Resource = "widgets", Namespaced = true },
            ];
        });
        var cluster = new FailoverCluster(store, writer, frontEnds, proxy);
        foreach (var resource in cluster.Registry.Resources)
        {
            await Informers.Eventually.TrueAsync(() => resource.Cache.IsReady, () => $"the cache of {resource.Definition.DisplayName} to be ready");
        }

        return cluster;
    }

    /// <summary>The cache of the <paramref name="index"/>-th collection.</summary>
    public ResourceCache Resource(int index) => Registry.Resources[index];

    /// <summary>Lists that were not the first one, over every resource (a failover must cause none).</summary>
    public long Relists() => Registry.Resources.Sum(r =>
        Enum.GetValues<RelistReason>().Where(reason => reason != RelistReason.Initial).Sum(reason => r.Reflector.GetRelistCount(reason)));

    /// <summary>The front end whose relay address the endpoint has.</summary>
    public int FrontEndOf(ApiCache.Upstream.UpstreamEndpoint? endpoint) =>
        endpoint is null ? -1 : Array.FindIndex([.. FrontEnds], f => endpoint.DestinationPrefix.StartsWith(f.Address.ToString().TrimEnd('/'), StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        ProxyClient.Dispose();
        await Proxy.DisposeAsync();
        foreach (var frontEnd in FrontEnds)
        {
            await frontEnd.DisposeAsync();
        }

        await Writer.DisposeAsync();
        await _store.DisposeAsync();
    }
}
