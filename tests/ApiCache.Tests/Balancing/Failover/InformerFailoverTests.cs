using System.Text.Json.Nodes;
using ApiCache.Tests.Infrastructure;
using ApiCache.Tests.Informers;

namespace ApiCache.Tests.Balancing.Failover;

/// <summary>
/// Informers over three apiservers sharing one store, on real loopback HTTP: spread by resource,
/// failover when the watched one dies (resumed from the cache's resource version, no re-list, no gap
/// or duplicate for clients watching the proxy), and never onto an apiserver that is behind.
/// </summary>
public sealed class InformerFailoverTests
{
    private const string ConfigMaps = "/api/v1/configmaps";
    private const string TeamA = "/api/v1/namespaces/team-a/configmaps";

    [Fact]
    public async Task Informers_ThreeResourcesOverThreeServers_EachWatchesItsPreferredServer()
    {
        await using var cluster = await FailoverCluster.StartAsync();

        for (var i = 0; i < FailoverCluster.Collections.Length; i++)
        {
            var index = i;
            var collection = FailoverCluster.Collections[i];
            await Eventually.TrueAsync(() => cluster.FrontEnds[index].WatchesOf(collection).Count > 0, () => $"a watch of {collection} at server {index}");
            Assert.Equal(i, cluster.FrontEndOf(cluster.Resource(i).Upstream.Current));
            for (var other = 0; other < cluster.FrontEnds.Count; other++)
            {
                if (other != i)
                {
                    Assert.Empty(cluster.FrontEnds[other].WatchesOf(collection));
                }
            }
        }

        Assert.All(cluster.Registry.Resources, r => Assert.Equal(0, r.Upstream.Switches));
    }

    [Fact]
    public async Task Informer_WatchedServerKilled_ResumesOnAnotherWithoutRelistOrGap()
    {
        await using var cluster = await FailoverCluster.StartAsync();
        var configMaps = cluster.Resource(0);
        await cluster.Writer.CreateNamespaceAsync("team-a");
        var created = await cluster.Writer.CreateConfigMapAsync("team-a", "cm-0");
        await Eventually.TrueAsync(() => configMaps.Cache.ResourceVersion >= ResourceVersionOf(created), () => "the cache to hold cm-0");
        await using var watch = await WatchStream.OpenAsync(cluster.ProxyClient, $"{TeamA}?watch=true&resourceVersion={ResourceVersionOf(created)}");
        Assert.Equal(System.Net.HttpStatusCode.OK, watch.Response.StatusCode);
        using var decreases = ResourceVersionMonitor.Start(configMaps.Cache);

        cluster.FrontEnds[0].Kill();
        for (var i = 1; i <= 4; i++)
        {
            await cluster.Writer.CreateConfigMapAsync("team-a", $"cm-{i}");
        }

        await Eventually.TrueAsync(() => cluster.FrontEndOf(configMaps.Upstream.Current) > 0, () => "the configmaps informer to move off the killed server");
        var seen = new List<(string Name, long ResourceVersion)>();
        for (var i = 1; i <= 4; i++)
        {
            seen.Add(Change(await watch.NextChangeAsync()));
        }

        Assert.Equal(["cm-1", "cm-2", "cm-3", "cm-4"], seen.Select(s => s.Name));
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.ResourceVersion < p.Second.ResourceVersion), "resource versions increase");

        // Nothing was sent twice: the next event after the switch is the next write.
        await cluster.Writer.CreateConfigMapAsync("team-a", "cm-5");
        Assert.Equal("cm-5", Change(await watch.NextChangeAsync()).Name);

        Assert.Equal(["cm-0", "cm-1", "cm-2", "cm-3", "cm-4", "cm-5"], await ProxyNamesAsync(cluster, TeamA));
        Assert.Equal(1, configMaps.Upstream.Switches);
        Assert.Equal(0, cluster.Relists());
        Assert.Equal(0, decreases.Decreases);
        var metrics = await cluster.ProxyClient.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("\napicache_cache_upstream_switches_total{group=\"\",resource=\"configmaps\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("\napicache_cache_relists_total{group=\"\",reason=\"Expired\",resource=\"configmaps\"} 0\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Informer_FailoverServerBehind_IsSkippedForOneThatCaughtUp()
    {
        await using var cluster = await FailoverCluster.StartAsync(lagging: 1);
        var configMaps = cluster.Resource(0);
        var behind = cluster.FrontEnds[1];
        await behind.Lagging!.HoldAsync();
        await cluster.Writer.CreateNamespaceAsync("team-a");
        var created = await cluster.Writer.CreateConfigMapAsync("team-a", "cm-0");
        await Eventually.TrueAsync(() => configMaps.Cache.ResourceVersion >= ResourceVersionOf(created), () => "the cache to hold cm-0");
        using var decreases = ResourceVersionMonitor.Start(configMaps.Cache);
        var watchesAtBehind = behind.WatchesOf(ConfigMaps).Count;

        cluster.FrontEnds[0].Kill();
        await Eventually.TrueAsync(() => cluster.FrontEndOf(configMaps.Upstream.Current) == 2, () => "the configmaps informer to resume at server 2");
        await cluster.Writer.CreateConfigMapAsync("team-a", "cm-1");

        Assert.Equal(["cm-0", "cm-1"], await EventuallyNamesAsync(cluster, TeamA, 2));
        Assert.Equal(watchesAtBehind, behind.WatchesOf(ConfigMaps).Count);
        Assert.Contains(behind.InformerRequests, r => r.StartsWith(ConfigMaps + "?limit=1&resourceVersion=", StringComparison.Ordinal) && r.EndsWith("resourceVersionMatch=NotOlderThan", StringComparison.Ordinal));
        Assert.Equal(1, configMaps.Upstream.Switches);
        Assert.Equal(0, cluster.Relists());
        Assert.Equal(0, decreases.Decreases);
    }

    [Fact]
    public async Task Informer_EveryOtherServerBehind_WaitsUntilOneCatchesUpWithoutRelist()
    {
        await using var cluster = await FailoverCluster.StartAsync(lagging: [1, 2]);
        var configMaps = cluster.Resource(0);
        await cluster.Writer.CreateNamespaceAsync("team-a");
        await cluster.FrontEnds[1].Lagging!.HoldAsync();
        await cluster.FrontEnds[2].Lagging!.HoldAsync();
        var created = await cluster.Writer.CreateConfigMapAsync("team-a", "cm-0");
        await Eventually.TrueAsync(() => configMaps.Cache.ResourceVersion >= ResourceVersionOf(created), () => "the cache to hold cm-0");
        using var decreases = ResourceVersionMonitor.Start(configMaps.Cache);
        var watchesAtBehind = cluster.FrontEnds[1].WatchesOf(ConfigMaps).Count;

        cluster.FrontEnds[0].Kill();
        await cluster.Writer.CreateConfigMapAsync("team-a", "cm-1");
        await Eventually.TrueAsync(
            () => configMaps.Reflector.LastError?.Message.Contains("Too large resource version", StringComparison.Ordinal) == true,
            () => "the informer to find both other servers behind");
        Assert.Equal(0, cluster.FrontEndOf(configMaps.Upstream.Current));
        Assert.Equal(["cm-0"], await ProxyNamesAsync(cluster, TeamA));

        cluster.FrontEnds[2].Lagging!.Release();
        Assert.Equal(["cm-0", "cm-1"], await EventuallyNamesAsync(cluster, TeamA, 2));
        Assert.Equal(2, cluster.FrontEndOf(configMaps.Upstream.Current));
        Assert.Equal(watchesAtBehind, cluster.FrontEnds[1].WatchesOf(ConfigMaps).Count);
        Assert.Equal(1, configMaps.Upstream.Switches);
        Assert.Equal(0, cluster.Relists());
        Assert.Equal(0, decreases.Decreases);
    }

    private static long ResourceVersionOf(JsonNode obj) => long.Parse(obj["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

    private static (string Name, long ResourceVersion) Change(JsonObject watchEvent)
    {
        Assert.Equal("ADDED", watchEvent["type"]!.GetValue<string>());
        return (watchEvent["object"]!["metadata"]!["name"]!.GetValue<string>(), ResourceVersionOf(watchEvent["object"]!));
    }

    /// <summary>The names a LIST with resourceVersion=0 through the proxy (the cache) answers.</summary>
    private static async Task<List<string>> ProxyNamesAsync(FailoverCluster cluster, string collection)
    {
        using var response = await WarmCache.GetAsync(cluster.ProxyClient, collection + "?resourceVersion=0");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return [.. JsonNode.Parse(text)!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>())];
    }

    /// <summary>The proxy's names once it holds <paramref name="count"/> objects (a bounded wait).</summary>
    private static async Task<List<string>> EventuallyNamesAsync(FailoverCluster cluster, string collection, int count)
    {
        List<string> names = [];
        for (var attempt = 0; attempt < 300; attempt++)
        {
            names = await ProxyNamesAsync(cluster, collection);
            if (names.Count >= count)
            {
                break;
            }

            await Task.Delay(100);
        }

        return names;
    }
}
