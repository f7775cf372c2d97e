using ApiCache.Caching;
using ApiCache.Consistency;
using ApiCache.DevServer.Embedding;
using ApiCache.Storage;
using ApiCache.Tests.Caching;
using ApiCache.Tests.Infrastructure;
using ApiCache.Upstream;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Embedding;

/// <summary>
/// The dev server with ApiCache embedded (<c>DevServer:EmbedCache</c>): the default caches fill
/// through the in-process handler, writes through the HTTP API reach them, the revision source
/// knows each resource's last write, and the dev server's /readyz waits for the caches.
/// </summary>
public sealed class EmbeddedDevServerTests : IAsyncLifetime
{
    private DevServerHost _host = null!;

    public async Task InitializeAsync() => _host = await DevServerHost.StartAsync(options => options.EmbedCache = true);

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task EmbedCache_DefaultResources_BecomeReadyThroughTheInProcessEndpoint()
    {
        var endpoints = _host.Server.Services.GetRequiredService<UpstreamEndpointSet>();
        var registry = _host.Server.Services.GetRequiredService<CacheRegistry>();

        foreach (var resource in registry.Resources)
        {
            await CacheWait.UntilReadyAsync(resource.Cache);
        }

        var endpoint = Assert.Single(endpoints.Endpoints);
        Assert.Equal(UpstreamEndpointSet.InProcessName, endpoint.Name);
        Assert.Equal(
            new[] { "configmaps", "deployments.apps", "endpoints", "namespaces", "nodes", "pods", "secrets", "serviceaccounts", "services" },
            registry.Resources.Select(r => r.Definition.DisplayName).Order(StringComparer.Ordinal));
        Assert.True(registry.TryGet("", "namespaces", out var namespaces));
        Assert.NotNull(namespaces.Cache.Get(new ObjectKey("", "kube-system")));
    }

    [Fact]
    public async Task EmbedCache_WritesThroughTheHttpApi_ReachTheCache()
    {
        var registry = _host.Server.Services.GetRequiredService<CacheRegistry>();
        Assert.True(registry.TryGet("", "pods", out var pods));
        await CacheWait.UntilReadyAsync(pods.Cache);
        await _host.CreateNamespaceAsync("team-a");

        var created = await _host.CreatePodAsync("team-a", "web-0", nodeName: "node-1");
        var revision = Revision(created);
        await CacheWait.UntilFreshAsync(pods.Cache, revision);
        var (status, _, _) = await _host.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/team-a/pods/web-0");

        Assert.Equal(200, status);
        await CacheWait.UntilAsync(pods.Cache, () => pods.Cache.Get(new ObjectKey("team-a", "web-0")) is null, "the deleted pod to leave the cache");
        Assert.True(pods.Cache.ResourceVersion > revision);
    }

    [Fact]
    public async Task EmbedCache_ConsistentList_IsServedFromTheCacheWithTheWriteJustMade()
    {
        var registry = _host.Server.Services.GetRequiredService<CacheRegistry>();
        Assert.True(registry.TryGet("", "pods", out var pods));
        await CacheWait.UntilReadyAsync(pods.Cache);
        await _host.CreateNamespaceAsync("team-a");

        var pod = Revision(await _host.CreatePodAsync("team-a", "web-0"));
        var (status, list, text) = await _host.GetAsync("/api/v1/namespaces/team-a/pods");
        var (_, _, metrics) = await _host.GetAsync("/metrics");

        Assert.Equal(200, status);
        var item = Assert.Single(list!["items"]!.AsArray());
        Assert.Equal("web-0", item!["metadata"]!["name"]!.GetValue<string>());
        Assert.True(long.Parse(list["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) >= pod, text);
        var fromCache = System.Text.RegularExpressions.Regex.Matches(metrics, "apicache_cache_reads_total\\{path=\"cache_(fresh|after_wait)\",resource=\"pods\",verb=\"list\"\\} 1\n");
        Assert.True(fromCache.Count == 1, metrics);
    }

    [Fact]
    public async Task EmbedCache_RevisionSource_WaitsForEachResourcesOwnLastWrite()
    {
        var source = Assert.IsType<DevServerRevisionSource>(_host.Server.Services.GetRequiredService<IRevisionSource>());
        await _host.CreateNamespaceAsync("team-a");

        var configMap = Revision(await _host.CreateConfigMapAsync("team-a", "settings"));
        var pod = Revision(await _host.CreatePodAsync("team-a", "web-0"));
        var conflict = await _host.PostAsync("/api/v1/namespaces/team-a/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"}}""");
        var pods = await source.GetTargetAsync(Reference("pods", "/registry/pods/"), 0, CancellationToken.None);
        var configMaps = await source.GetTargetAsync(Reference("configmaps", "/registry/configmaps/"), 0, CancellationToken.None);
        var nodes = await source.GetTargetAsync(Reference("nodes", "/registry/minions/"), 0, CancellationToken.None);

        Assert.Equal(409, conflict.Status);
        Assert.Equal(new(pod, pod), pods);
        Assert.Equal(new(configMap, pod), configMaps);
        Assert.True(nodes.WaitFor < configMap, $"nodes wait for {nodes.WaitFor}, though no node was written since the start (configmap at {configMap})");
    }

    [Fact]
    public async Task Readyz_EmbeddedCaches_ListedOnTheDevServersProbe()
    {
        var registry = _host.Server.Services.GetRequiredService<CacheRegistry>();
        foreach (var resource in registry.Resources)
        {
            await CacheWait.UntilReadyAsync(resource.Cache);
        }

        var (status, _, text) = await _host.GetAsync("/readyz?verbose");
        var (healthz, _, healthText) = await _host.GetAsync("/healthz");

        Assert.Equal(200, status);
        Assert.Contains("[+]cache-sync/pods ok\n", text, StringComparison.Ordinal);
        Assert.Contains("[+]cache-sync/deployments.apps ok\n", text, StringComparison.Ordinal);
        Assert.EndsWith("readyz check passed\n", text, StringComparison.Ordinal);
        Assert.Equal(200, healthz);
        Assert.Equal("ok", healthText);
    }

    internal static long Revision(System.Text.Json.Nodes.JsonNode created) =>
        long.Parse(created["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

    internal static CachedResourceReference Reference(string resource, string etcdKeyPrefix) => new("", "v1", resource, etcdKeyPrefix);
}
