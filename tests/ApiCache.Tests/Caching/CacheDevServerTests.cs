using System.Globalization;
using System.Text;
using System.Text.Json;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.DevServer.Storage;
using ApiCache.Informers;
using ApiCache.Selectors;
using ApiCache.Storage;
using ApiCache.Tests.DevServer.Api;
using ApiCache.Tests.Infrastructure;
using ApiCache.Upstream;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ApiCache.Tests.Caching;

/// <summary>
/// The informer cache (a <see cref="CacheRegistry"/> built from real options) in front of the real dev
/// API server: pods (indexed by spec.nodeName), configmaps, nodes (cluster-scoped) and the widgets CRD,
/// listed in pages of three. Each cache must hold, byte for byte, what the upstream lists at the same
/// resource version, before and after changes. Runs once per store (subclasses choose it).
/// </summary>
public abstract class CacheDevServerTests : DevServerTestBase, IDisposable
{
    private const int PageSize = 3;
    private static readonly string[] Nodes = ["node-1", "node-2", "node-3"];

    private UpstreamEndpointSet? _endpoints;
    private CacheRegistry? _registry;

    public override async Task DisposeAsync()
    {
        if (_registry is not null)
        {
            await _registry.DisposeAsync().AsTask().WaitAsync(CacheWait.Deadline);
        }

        await base.DisposeAsync();
    }

    public void Dispose()
    {
        _endpoints?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Start_SeededObjectsInSeveralPages_EachCacheEqualsTheUpstreamListAtItsRv()
    {
        await SeedAsync();

        var registry = await StartCachesAsync();

        Assert.Equal(["pods", "configmaps", "nodes", "widgets.example.com"], registry.Resources.Select(r => r.Definition.DisplayName));
        foreach (var resource in registry.Resources)
        {
            var count = await AssertCacheEqualsUpstreamAsync(resource);
            Assert.True(resource.Definition.Resource == "nodes" || count > PageSize, $"{resource.Definition.DisplayName} has {count} objects: too few for several pages");
            Assert.Equal(1, resource.Reflector.GetRelistCount(RelistReason.Initial));
        }

        var pods = Cache(registry, "", "pods");
        foreach (var node in Nodes.Append(""))
        {
            await AssertPodQueryEqualsUpstreamAsync(pods, "spec.nodeName=" + node, expectIndex: true);
        }

        await AssertPodQueryEqualsUpstreamAsync(pods, "spec.nodeName=node-1", labelSelector: "app=web");
    }

    [Fact]
    public async Task Changes_AfterStart_EachCacheReachesTheUpstreamsRvAndEqualsItsList()
    {
        await SeedAsync();
        var registry = await StartCachesAsync();
        var pods = Cache(registry, "", "pods");
        var before = pods.ResourceVersion;
        var moving = Encoding.UTF8.GetString(pods.Get(new ObjectKey("team-a", "p-01"))!.Json);
        Assert.Contains("\"nodeName\":\"node-2\"", moving, StringComparison.Ordinal);

        // Creates, label updates, deletes, and a pod moving from node-2 to node-3.
        await Host.CreatePodAsync("team-b", "p-new", "node-2", """{"app":"web"}""");
        await PatchAsync("/api/v1/namespaces/team-a/pods/p-01", """{"spec":{"nodeName":"node-3"}}""");
        await PatchAsync("/api/v1/namespaces/team-b/pods/p-04", """{"metadata":{"labels":{"app":"db","tier":"x"}}}""");
        await DeleteAsync("/api/v1/namespaces/team-b/pods/p-02");
        await Host.CreateConfigMapAsync("team-a", "cm-new", """{"k":"v"}""");
        await PatchAsync("/api/v1/namespaces/team-b/configmaps/cm-03", """{"metadata":{"labels":{"changed":"yes"}},"data":{"k":"v2"}}""");
        await DeleteAsync("/api/v1/namespaces/team-a/configmaps/cm-00");
        await Host.CreateAsync("/api/v1/nodes", NodeJson("node-4", "c"));
        await PatchAsync("/api/v1/nodes/node-2", """{"metadata":{"labels":{"zone":"z"}}}""");
        await PatchAsync(Widgets("team-a") + "/w-00", """{"spec":{"size":42}}""");
        await DeleteAsync(Widgets("team-b") + "/w-01");
        await Host.CreateAsync(Widgets("team-b"), WidgetJson("w-new", 7));
        var upstreamRv = await UpstreamResourceVersionAsync();

        foreach (var resource in registry.Resources)
        {
            await CacheWait.UntilFreshAsync(resource.Cache, upstreamRv);
            await AssertCacheEqualsUpstreamAsync(resource);
            Assert.Equal(0, resource.Reflector.GetRelistCount(RelistReason.Expired));
            Assert.True(resource.Cache.EventsApplied >= 2, $"{resource.Definition.DisplayName} applied {resource.Cache.EventsApplied} events");
        }

        foreach (var node in Nodes.Append("node-4").Append(""))
        {
            await AssertPodQueryEqualsUpstreamAsync(pods, "spec.nodeName=" + node, expectIndex: true);
        }

        var onNode3 = QueryAt(pods, pods.ResourceVersion, "spec.nodeName=node-3");
        Assert.Contains(onNode3, o => o.Key == new ObjectKey("team-a", "p-01"));
        Assert.DoesNotContain(QueryAt(pods, pods.ResourceVersion, "spec.nodeName=node-2"), o => o.Key == new ObjectKey("team-a", "p-01"));

        // The state before the changes is rebuilt from the history, and still equals the upstream's.
        Assert.True(pods.TrySnapshotAt(before, out var past));
        Assert.Equal(await UpstreamItemsAsync(pods.Definition.CollectionPath, before), Texts(past));
        Assert.Contains(QueryAt(pods, before, "spec.nodeName=node-2"), o => o.Key == new ObjectKey("team-a", "p-01"));
    }

    [Fact]
    public async Task Start_CustomResource_KeepsItsTypeMetaAndBuiltInItemsDoNot()
    {
        await SeedAsync();

        var registry = await StartCachesAsync();

        var widgets = Cache(registry, "example.com", "widgets");
        Assert.Equal(new ListTypeInfo("WidgetList", "example.com/v1", true), widgets.TypeInfo);
        Assert.All(widgets.Snapshot(out _), w =>
            Assert.StartsWith("{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",", Encoding.UTF8.GetString(w.Json), StringComparison.Ordinal));
        var pods = Cache(registry, "", "pods");
        Assert.Equal(new ListTypeInfo("PodList", "v1", false), pods.TypeInfo);
        Assert.All(pods.Snapshot(out _), p =>
        {
            var json = Encoding.UTF8.GetString(p.Json);
            Assert.StartsWith("{\"metadata\":", json, StringComparison.Ordinal);
            Assert.DoesNotContain("\"kind\":\"Pod\"", json, StringComparison.Ordinal);
        });
        Assert.False(Cache(registry, "", "nodes").TypeInfo!.ItemsCarryTypeMeta);
    }

    private static WatchCache Cache(CacheRegistry registry, string group, string resource)
    {
        Assert.True(registry.TryGet(group, resource, out var cache), $"{group}/{resource} is not cached");
        return cache.Cache;
    }

    private static List<CachedObject> QueryAt(WatchCache cache, long resourceVersion, string fieldSelector, string labelSelector = "")
    {
        var results = new List<CachedObject>();
        var query = new StoreQuery { FieldSelector = FieldSelector.Parse(fieldSelector), LabelSelector = LabelSelector.Parse(labelSelector) };
        Assert.True(cache.TryQueryAt(resourceVersion, query, results, out _), $"the cache cannot answer at {resourceVersion}");
        return results;
    }

    private static string Widgets(string ns) => $"/apis/example.com/v1/namespaces/{ns}/widgets";

    private static List<string> Texts(IEnumerable<CachedObject> objects) => [.. objects.Select(o => Encoding.UTF8.GetString(o.Json))];

    private static string PodName(int i) => $"p-{i:D2}";

    private static string NodeJson(string name, string zone) =>
        "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"zone\":\"" + zone + "\"}}}";

    private static string WidgetJson(string name, int size) =>
        $$$"""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"{{{name}}}","labels":{"size":"s{{{size}}}"}},"spec":{"size":{{{size}}}}}""";

    /// <summary>Three nodes; ten pods over two namespaces, every fourth unscheduled; seven configmaps; five widgets.</summary>
    private async Task SeedAsync()
    {
        for (var i = 0; i < Nodes.Length; i++)
        {
            await Host.CreateAsync("/api/v1/nodes", NodeJson(Nodes[i], i % 2 == 0 ? "a" : "b"));
        }

        for (var i = 0; i < 10; i++)
        {
            var node = i % 4 == 0 ? null : Nodes[i % 3];
            await Host.CreatePodAsync(i % 2 == 0 ? "team-b" : "team-a", PodName(i), node, i % 3 == 0 ? """{"app":"db"}""" : """{"app":"web"}""");
        }

        for (var i = 0; i < 7; i++)
        {
            await Host.CreateConfigMapAsync(i % 2 == 0 ? "team-a" : "team-b", $"cm-{i:D2}", $$"""{"n":"{{i}}"}""");
        }

        for (var i = 0; i < 5; i++)
        {
            await Host.CreateAsync(Widgets(i % 2 == 0 ? "team-a" : "team-b"), WidgetJson($"w-{i:D2}", i));
        }
    }

    /// <summary>Builds the registry from options as the host does, starts it and waits until every cache is ready.</summary>
    private async Task<CacheRegistry> StartCachesAsync()
    {
        var options = new ApiCacheOptions { Security = { Mode = SecurityMode.Trusted } };
        options.Upstream.Servers.Add(new UpstreamServerOptions { Url = Host.Address.ToString() });
        options.Cache.ListPageSize = PageSize;
        options.Cache.Resources =
        [
            new() { Resource = "pods", IndexedFields = ["spec.nodeName"] },
            new() { Resource = "configmaps" },
            new() { Resource = "nodes" },
            new() { Group = "example.com", Version = "v1", Resource = "widgets", Namespaced = true },
        ];
        var wrapped = Options.Create(options);
        _endpoints = new UpstreamEndpointSet(wrapped, TimeProvider.System, NullLoggerFactory.Instance);
        _registry = new CacheRegistry(wrapped, _endpoints, TimeProvider.System, NullLoggerFactory.Instance);
        _registry.Start();
        foreach (var resource in _registry.Resources)
        {
            await CacheWait.UntilReadyAsync(resource.Cache);
        }

        return _registry;
    }

    /// <summary>
    /// Compares the cache's current objects with the upstream's list at the cache's RV (Exact), item by
    /// item as raw JSON text; returns the number of objects.
    /// </summary>
    private async Task<int> AssertCacheEqualsUpstreamAsync(ResourceCache resource)
    {
        var cached = resource.Cache.Snapshot(out var resourceVersion);
        var upstream = await UpstreamItemsAsync(resource.Definition.CollectionPath, resourceVersion);
        Assert.Equal(upstream, Texts(cached));
        return cached.Count;
    }

    /// <summary>A pod query the cache answers at its RV equals the upstream's LIST with the same selectors at that RV.</summary>
    private async Task AssertPodQueryEqualsUpstreamAsync(WatchCache pods, string fieldSelector, string labelSelector = "", bool expectIndex = false)
    {
        var resourceVersion = pods.ResourceVersion;
        var results = new List<CachedObject>();
        var query = new StoreQuery { FieldSelector = FieldSelector.Parse(fieldSelector), LabelSelector = LabelSelector.Parse(labelSelector) };
        Assert.True(pods.TryQueryAt(resourceVersion, query, results, out var result));
        var selectors = "fieldSelector=" + Uri.EscapeDataString(fieldSelector) + (labelSelector.Length == 0 ? "" : "&labelSelector=" + Uri.EscapeDataString(labelSelector));
        var upstream = await UpstreamItemsAsync("/api/v1/pods", resourceVersion, selectors);
        Assert.Equal(upstream, Texts(results));
        if (expectIndex)
        {
            Assert.Equal(QuerySourceKind.FieldIndex, result.Plan.Kind);
        }
    }

    /// <summary>The raw JSON text of each item of the upstream's LIST at exactly <paramref name="resourceVersion"/>.</summary>
    private async Task<List<string>> UpstreamItemsAsync(string collectionPath, long resourceVersion, string? selectors = null)
    {
        var path = $"{collectionPath}?resourceVersion={resourceVersion}&resourceVersionMatch=Exact" + (selectors is null ? "" : "&" + selectors);
        var (status, _, text) = await Host.GetAsync(path);
        Assert.True(status == 200, $"GET {path} answered {status}: {text}");
        using var document = JsonDocument.Parse(text);
        Assert.Equal(resourceVersion.ToString(CultureInfo.InvariantCulture), document.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString());
        return [.. document.RootElement.GetProperty("items").EnumerateArray().Select(static item => item.GetRawText())];
    }

    /// <summary>The upstream's current resource version, from a quorum LIST with limit=1.</summary>
    private async Task<long> UpstreamResourceVersionAsync()
    {
        var (status, body, text) = await Host.GetAsync("/api/v1/namespaces?limit=1");
        Assert.True(status == 200, text);
        return long.Parse(body!["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
    }

    private async Task PatchAsync(string path, string mergePatch)
    {
        var (status, _, text) = await Host.SendAsync(HttpMethod.Patch, path, mergePatch, "application/merge-patch+json");
        Assert.True(status == 200, $"PATCH {path} answered {status}: {text}");
    }

    private async Task DeleteAsync(string path)
    {
        var (status, _, text) = await Host.SendAsync(HttpMethod.Delete, path);
        Assert.True(status == 200, $"DELETE {path} answered {status}: {text}");
    }
}

/// <summary>The cache in front of the dev server over its in-memory store.</summary>
public sealed class InMemoryCacheDevServerTests : CacheDevServerTests
{
    private protected override Task<IRevisionedStore?> CreateStoreAsync() => Task.FromResult<IRevisionedStore?>(null);
}

/// <summary>The cache in front of the dev server over the shared real etcd.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class EtcdCacheDevServerTests(EtcdFixture etcd) : CacheDevServerTests
{
    private protected override Task<IRevisionedStore?> CreateStoreAsync() => Task.FromResult<IRevisionedStore?>(etcd.CreateStore());
}
