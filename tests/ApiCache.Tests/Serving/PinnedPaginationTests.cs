using System.Text.Json.Nodes;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.Requests;
using ApiCache.Tests.Caching;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Serving;

/// <summary>
/// Paginated LISTs served by the proxy's cache while the objects change between pages: every later
/// page is read at the first page's revision (from the cache's history), so the pages together are
/// exactly the upstream's Exact list at that revision; once the history no longer covers it, the
/// page is forwarded and the upstream answers it.
/// </summary>
public sealed class PinnedPaginationTests : IAsyncLifetime, IDisposable
{
    private DevServerHost? _upstream;
    private LoopbackServer? _proxy;
    private HttpClient? _client;

    private DevServerHost Upstream => _upstream!;

    private HttpClient Proxy => _client!;

    public async Task InitializeAsync()
    {
        _upstream = await DevServerHost.StartAsync();
        await Upstream.CreateNamespaceAsync("team-a");
        for (var i = 0; i < 10; i++)
        {
            await Upstream.CreateConfigMapAsync("team-a", $"cm-{i:D2}");
        }

        _proxy = await ProxyHost.StartAsync(Upstream.Address, options =>
        {
            options.Cache.Enabled = true;
            options.Cache.Resources = [new CachedResourceOptions { Resource = "configmaps", HistoryMaxEvents = 6 }];
        });
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = _proxy.Address };
        await CacheWait.UntilReadyAsync(Cache.Cache);
    }

    public void Dispose() => _client?.Dispose();

    public async Task DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }
    }

    private ResourceCache Cache
    {
        get
        {
            Assert.True(_proxy!.Services.GetRequiredService<CacheRegistry>().TryGet("", "configmaps", out var cache));
            return cache;
        }
    }

    [Fact]
    public async Task Continue_ObjectsChangedAfterFirstPage_PagesEqualTheUpstreamExactListAtTheFirstPagesRv()
    {
        var first = await GetJsonAsync("/api/v1/namespaces/team-a/configmaps?limit=4");
        var pinned = long.Parse(first["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(6, first["metadata"]!["remainingItemCount"]!.GetValue<long>());

        // Change objects on the pages still to come, then let the cache see it.
        await Upstream.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/team-a/configmaps/cm-05");
        await Upstream.CreateConfigMapAsync("team-a", "cm-055");
        var (status, _, text) = await Upstream.SendAsync(HttpMethod.Put, "/api/v1/namespaces/team-a/configmaps/cm-07",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-07"},"data":{"k":"changed"}}""");
        Assert.True(status == 200, text);
        await CacheWait.UntilFreshAsync(Cache.Cache, await Upstream.Store.GetRevisionAsync(CancellationToken.None));

        var items = new JsonArray();
        Append(items, first);
        var token = first["metadata"]!["continue"]?.GetValue<string>();
        for (var page = 0; token is not null && page < 10; page++)
        {
            var next = await GetJsonAsync("/api/v1/namespaces/team-a/configmaps?limit=4&continue=" + Uri.EscapeDataString(token));
            Assert.Equal(pinned.ToString(System.Globalization.CultureInfo.InvariantCulture), next["metadata"]!["resourceVersion"]!.GetValue<string>());
            Append(items, next);
            token = next["metadata"]!["continue"]?.GetValue<string>();
        }

        Assert.Equal(0, await ReadsAsync("forwarded"));
        Assert.Equal(3, await ReadsAsync("cache_fresh") + await ReadsAsync("cache_after_wait"));
        var (_, exact, _) = await Upstream.GetAsync($"/api/v1/namespaces/team-a/configmaps?resourceVersion={pinned}&resourceVersionMatch=Exact");
        Assert.Equal(exact!["items"]!.ToJsonString(), items.ToJsonString());
        Assert.Contains(items, item => item!["metadata"]!["name"]!.GetValue<string>() == "cm-05");
        Assert.DoesNotContain(items, item => item!["metadata"]!["name"]!.GetValue<string>() == "cm-055");
    }

    [Fact]
    public async Task Continue_PinnedRvLeftTheHistory_PageIsForwardedAndAnsweredByTheUpstream()
    {
        var first = await GetJsonAsync("/api/v1/namespaces/team-a/configmaps?limit=4");
        var token = first["metadata"]!["continue"]!.GetValue<string>();

        // More changes than the history keeps (6 events).
        for (var i = 0; i < 8; i++)
        {
            await Upstream.CreateConfigMapAsync("team-a", $"late-{i}");
        }

        await CacheWait.UntilFreshAsync(Cache.Cache, await Upstream.Store.GetRevisionAsync(CancellationToken.None));
        var path = "/api/v1/namespaces/team-a/configmaps?limit=4&continue=" + Uri.EscapeDataString(token);
        using var viaProxy = await Proxy.GetAsync(path);
        var (directStatus, direct, _) = await Upstream.GetAsync(path);

        Assert.Equal(directStatus, (int)viaProxy.StatusCode);
        Assert.Equal(1, await ReadsAsync("forwarded"));
        var proxied = JsonNode.Parse(await viaProxy.Content.ReadAsStringAsync())!;
        Assert.Equal(direct!["items"]!.ToJsonString(), proxied["items"]!.ToJsonString());
        Assert.Equal(ContinueToken.Decode(token, out _)!.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), proxied["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Continue_TokenWithForeignStartShape_IsForwardedNotMisread()
    {
        // A token whose start has no trailing NUL cannot be resumed after a key: the upstream decides.
        var token = new ContinueToken(Cache.Cache.ResourceVersion, "cm-03").Encode();
        var path = "/api/v1/namespaces/team-a/configmaps?limit=4&continue=" + token;

        using var viaProxy = await Proxy.GetAsync(path);
        var (directStatus, _, directText) = await Upstream.GetAsync(path);

        Assert.Equal(directStatus, (int)viaProxy.StatusCode);
        Assert.Equal(1, await ReadsAsync("forwarded"));
        Assert.Equal(Normalize(directText), Normalize(await viaProxy.Content.ReadAsStringAsync()));
    }

    /// <summary>The proxy's apicache_cache_reads_total for configmaps lists by <paramref name="path"/>.</summary>
    private async Task<long> ReadsAsync(string path)
    {
        var metrics = await Proxy.GetStringAsync("/metrics");
        var prefix = $"apicache_cache_reads_total{{path=\"{path}\",resource=\"configmaps\",verb=\"list\"}} ";
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Normalize(string body) => JsonNode.Parse(body)!["items"]?.ToJsonString() ?? body;

    private static void Append(JsonArray into, JsonNode list)
    {
        foreach (var item in list["items"]!.AsArray())
        {
            into.Add(item!.DeepClone());
        }
    }

    private async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await Proxy.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}
