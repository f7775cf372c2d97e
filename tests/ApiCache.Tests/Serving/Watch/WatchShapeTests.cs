using System.Globalization;
using System.Text.RegularExpressions;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.Storage;
using ApiCache.Tests.Caching;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// The bytes of cache-served pod watches against the recorded kube-apiserver (fixtures README,
/// "Notable facts" 3-6): status 200 and headers before any event, <c>Content-Type: application/json</c>,
/// chunked; the replayed ADDED events equal the dev server's own; the initial-events-end BOOKMARK
/// and a periodic BOOKMARK are exactly the fixtures' lines with this cache's resourceVersion.
/// </summary>
public sealed partial class WatchShapeTests : IAsyncLifetime
{
    private const string Namespace = "shapes";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private DevServerHost? _upstream;
    private LoopbackServer? _proxy;

    private DevServerHost Upstream => _upstream!;

    private LoopbackServer Proxy => _proxy!;

    private WatchCache Cache => Proxy.Services.GetRequiredService<CacheRegistry>().Resources.Single().Cache;

    public async Task InitializeAsync()
    {
        _upstream = await DevServerHost.StartAsync(o =>
        {
            o.Seed.Nodes = 2;
            o.Seed.Pods = 12;
            o.Seed.Namespaces = 2;
        });
        await Upstream.CreateNamespaceAsync(Namespace);
        await Upstream.CreateNamespaceAsync("elsewhere");
        for (var i = 0; i < 4; i++)
        {
            await Upstream.CreatePodAsync(Namespace, $"pod-{i}", nodeName: "node-1", labels: "{\"app\":\"shape\"}");
        }

        _proxy = await ProxyHost.StartAsync(Upstream.Address, options =>
        {
            options.Cache.Enabled = true;
            options.Cache.Resources = [new CachedResourceOptions { Resource = "pods" }];
            options.Watch.BookmarkInterval = TimeSpan.FromMilliseconds(200);
        });
        await CacheWait.UntilReadyAsync(Cache);
    }

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

    [Fact]
    public async Task Watch_FromCurrentVersionNothingHappens_HeadersArriveAtOnceAsChunkedJson()
    {
        // Arrange
        var current = await CachedVersionAsync();

        // Act: no event can come (no bookmarks asked for, no writes); the headers arrive anyway.
        await using var watch = await RawWatchConnection.OpenAsync(Proxy.Address, $"/api/v1/namespaces/{Namespace}/pods?watch=1&resourceVersion={current}", Wait);

        // Assert
        Assert.Equal(200, watch.StatusCode);
        Assert.Equal("application/json", watch.Headers["Content-Type"]);
        Assert.Equal("chunked", watch.Headers["Transfer-Encoding"]);
        Assert.Equal("no-cache, private", watch.Headers["Cache-Control"]);
        Assert.True(watch.Headers.ContainsKey("Audit-Id"), "no Audit-Id header");
    }

    [Fact]
    public async Task Watch_ForwardedFromCurrentVersionNothingHappens_HeadersArriveAtOnce()
    {
        // Arrange: the same proxy with cache-served watches off forwards the watch to the dev server,
        // which sends its headers at once; the proxy must pass them on before any event.
        await using var forwarding = await ProxyHost.StartAsync(Upstream.Address, options =>
        {
            options.Cache.Enabled = true;
            options.Cache.Resources = [new CachedResourceOptions { Resource = "pods" }];
            options.Watch.Enabled = false;
        });
        var current = await CachedVersionAsync();

        // Act
        await using var watch = await RawWatchConnection.OpenAsync(forwarding.Address, $"/api/v1/namespaces/{Namespace}/pods?watch=1&resourceVersion={current}", Wait);

        // Assert
        Assert.Equal(200, watch.StatusCode);
        Assert.Equal("application/json", watch.Headers["Content-Type"]);
        Assert.Equal("chunked", watch.Headers["Transfer-Encoding"]);
    }

    [Theory]
    [InlineData("watch=1&resourceVersion=0&allowWatchBookmarks=true")]
    [InlineData("watch=1&allowWatchBookmarks=true")]
    [InlineData("watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true")]
    public async Task Watch_InitialEventsWithBookmarks_AddedLinesAsDevServerThenFixtureEndBookmark(string query)
    {
        // Arrange: the dev server's own replay of the same state is the reference for the ADDED lines.
        var path = $"/api/v1/namespaces/{Namespace}/pods?{query}";
        var current = await CachedVersionAsync();
        List<string> reference;
        await using (var direct = await RawWatchConnection.OpenAsync(Upstream.Address, path, Wait))
        {
            reference = [];
            for (var i = 0; i < 4; i++)
            {
                reference.Add(await direct.NextLineAsync(Wait));
            }
        }

        // Act
        await using var watch = await RawWatchConnection.OpenAsync(Proxy.Address, path, Wait);
        var added = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            added.Add(await watch.NextLineAsync(Wait));
        }

        var end = await watch.NextLineAsync(Wait);

        // Assert
        Assert.Equal(200, watch.StatusCode);
        Assert.Equal("application/json", watch.Headers["Content-Type"]);
        Assert.All(reference, line => Assert.StartsWith("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",", line, StringComparison.Ordinal));
        Assert.Equal(reference.Order(StringComparer.Ordinal), added.Order(StringComparer.Ordinal));
        Assert.Equal(EndBookmark(current), end);
        await AssertSentByCacheAsync("BOOKMARK");
    }

    [Fact]
    public async Task Watch_VersionMovedByAnotherNamespace_PeriodicBookmarkIsFixtureShape()
    {
        // Arrange
        var current = await CachedVersionAsync();
        await using var watch = await RawWatchConnection.OpenAsync(Proxy.Address, $"/api/v1/namespaces/{Namespace}/pods?watch=1&allowWatchBookmarks=true&resourceVersion={current}", Wait);

        // Act: a pod elsewhere moves the pods cache's version past what this watcher was sent.
        var elsewhere = await Upstream.CreatePodAsync("elsewhere", "mover");
        var rv = long.Parse(elsewhere["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        await CacheWait.UntilFreshAsync(Cache, rv);
        var bookmark = await watch.NextLineAsync(Wait);

        // Assert: nothing but a bookmark at the cache's version, shaped as the recorded one.
        Assert.Equal(Bookmark(Cache.ResourceVersion), bookmark);
        Assert.True(Cache.ResourceVersion >= rv);
        await AssertSentByCacheAsync("BOOKMARK");
    }

    /// <summary>The cache's version once it is at least the upstream's latest pod write (a consistent LIST through the proxy).</summary>
    private async Task<long> CachedVersionAsync()
    {
        var (status, list, text) = await Upstream.GetAsync("/api/v1/pods?limit=1");
        Assert.True(status == 200, text);
        var latest = long.Parse(list!["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        await CacheWait.UntilFreshAsync(Cache, latest);
        return Cache.ResourceVersion;
    }

    private async Task AssertSentByCacheAsync(string type)
    {
        var metrics = await MetricsScrape.ScrapeAsync(Proxy.Address);
        Assert.True(
            metrics.Sum("apicache_watch_events_sent_total", ("resource", "pods"), ("type", type)) >= 1,
            $"the proxy's cache sent no pods {type}:\n{metrics.Lines("apicache_watch")}");
    }

    /// <summary>The recorded periodic pod bookmark with resourceVersion <paramref name="rv"/>.</summary>
    private static string Bookmark(long rv) => WithVersion(FixtureLine("05-watch-bookmark-pods-timeout10-after-pod-event", "\"BOOKMARK\"", mustContain: null), rv);

    /// <summary>The recorded initial-events-end pod bookmark with resourceVersion <paramref name="rv"/>.</summary>
    private static string EndBookmark(long rv) => WithVersion(FixtureLine("05-watchlist-team-a-rv-unset", "\"BOOKMARK\"", mustContain: "k8s.io/initial-events-end"), rv);

    private static string FixtureLine(string fixture, string type, string? mustContain)
    {
        var line = FixtureUpstream.FixtureText(fixture).Split('\n').Last(l => l.Contains(type, StringComparison.Ordinal));
        Assert.True(mustContain is null || line.Contains(mustContain, StringComparison.Ordinal), $"fixture {fixture}: {line}");
        Assert.True(mustContain is not null || !line.Contains("annotations", StringComparison.Ordinal), $"fixture {fixture}: {line}");
        return line;
    }

    private static string WithVersion(string line, long rv) =>
        ResourceVersion().Replace(line, "\"resourceVersion\":\"" + rv.ToString(CultureInfo.InvariantCulture) + "\"");

    [GeneratedRegex("\"resourceVersion\":\"[0-9]+\"")]
    private static partial Regex ResourceVersion();
}
