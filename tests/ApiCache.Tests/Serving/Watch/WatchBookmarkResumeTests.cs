using System.Globalization;
using System.Text.RegularExpressions;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.Tests.Caching;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// Why bookmarks matter (DESIGN "Why it exists"): an idle kubelet-style watcher
/// (<c>fieldSelector=spec.nodeName=node-x</c>, no pods on node-x) sees no events while other pods
/// churn far past the proxy's history window (20 events). With <c>allowWatchBookmarks</c> it got
/// bookmarks, so it resumes from its last resourceVersion and sees the next pod on its node; without
/// them its last resourceVersion is the one it started from, and a resume gets the apiserver's
/// HTTP 200 + <c>ERROR</c> 410 Expired event, byte for byte as the recorded fixture.
/// </summary>
public sealed partial class WatchBookmarkResumeTests(ITestOutputHelper output)
{
    private const string Namespace = "churn";
    private const int HistoryMaxEvents = 20;
    private const int ChurnWrites = 3 * HistoryMaxEvents;
    private const int MaxEvents = 10_000;
    private const string NodeX = "/api/v1/pods?watch=1&fieldSelector=spec.nodeName%3Dnode-x";

    [Fact]
    public async Task Watch_IdleNodeWatcherResumesAfterHistoryMovedOn_WithBookmarksResumesWithoutThemGets410()
    {
        // Arrange: pods on node-a only; a proxy with a tiny history and frequent bookmarks.
        await using var upstream = await DevServerHost.StartAsync();
        await upstream.CreateNamespaceAsync(Namespace);
        for (var i = 0; i < 3; i++)
        {
            await upstream.CreatePodAsync(Namespace, $"base-{i}", nodeName: "node-a");
        }

        await using var proxy = await ProxyHost.StartAsync(upstream.Address, options =>
        {
            options.Cache.Enabled = true;
            options.Cache.Resources = [new CachedResourceOptions { Resource = "pods" }];
            options.Cache.HistoryMaxEvents = HistoryMaxEvents;
            options.Watch.BookmarkInterval = TimeSpan.FromMilliseconds(200);
        });
        var cache = proxy.Services.GetRequiredService<CacheRegistry>().Resources.Single().Cache;
        await CacheWait.UntilReadyAsync(cache);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = proxy.Address, Timeout = TimeSpan.FromSeconds(60) };
        var start = await ListResourceVersionAsync(client);

        // Act: both watchers start at the list's resourceVersion; other pods churn past the window.
        long lastSeen;
        await using (var withBookmarks = await WatchStream.OpenAsync(client, $"{NodeX}&allowWatchBookmarks=true&resourceVersion={start}"))
        await using (var withoutBookmarks = await WatchStream.OpenAsync(client, $"{NodeX}&resourceVersion={start}"))
        {
            Assert.Equal(200, (int)withBookmarks.Response.StatusCode);
            Assert.Equal(200, (int)withoutBookmarks.Response.StatusCode);
            long lastWrite = 0;
            for (var i = 0; i < ChurnWrites; i++)
            {
                var pod = i % 2 == 0
                    ? await upstream.CreatePodAsync(Namespace, $"churn-{i}", nodeName: "node-a")
                    : (await upstream.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{Namespace}/pods/churn-{i - 1}", "{\"metadata\":{\"labels\":{\"round\":\"" + i + "\"}}}", "application/merge-patch+json")).Body!;
                lastWrite = Rv(pod);
            }

            // The bookmark watcher's last resourceVersion follows the cache past the churn; it saw nothing else.
            lastSeen = start;
            for (var i = 0; i < MaxEvents && lastSeen < lastWrite; i++)
            {
                var e = await withBookmarks.NextAsync(30);
                Assert.True(e["type"]!.GetValue<string>() == "BOOKMARK", $"the node-x watcher got a {e["type"]} event: {e.ToJsonString()}");
                lastSeen = Rv(e["object"]!);
            }

            output.WriteLine($"start {start}, last write {lastWrite}, last bookmark {lastSeen}");
            Assert.True(lastSeen >= lastWrite, $"the bookmarks stopped at {lastSeen}, before the last write {lastWrite}");
        }

        // Assert: without bookmarks, the resume from the start is too old: the fixture's ERROR event, with this cache's numbers.
        Assert.False(cache.TryGetWatchStart(start, out _, out var oldest), $"resourceVersion {start} is still inside the history: the churn did not move the window");
        await using (var resumed = await RawWatchConnection.OpenAsync(proxy.Address, $"{NodeX}&resourceVersion={start}", TimeSpan.FromSeconds(30)))
        {
            Assert.Equal(200, resumed.StatusCode);
            Assert.Equal("application/json", resumed.Headers.GetValueOrDefault("Content-Type"));
            var (lines, error) = await resumed.ReadToEndAsync(TimeSpan.FromSeconds(30));
            Assert.Null(error);
            var fixture = FixtureUpstream.FixtureText("06-restart-watch-from-R1-compacted-and-older-than-cache-410").TrimEnd('\n');
            var expected = TooOld().Replace(fixture, $"too old resource version: {start.ToString(CultureInfo.InvariantCulture)} ({oldest.ToString(CultureInfo.InvariantCulture)})");
            Assert.Equal([expected], lines);
        }

        // With bookmarks, the resume from the last bookmark is inside the window: the next pod on node-x arrives.
        await using var resumedWithBookmarks = await WatchStream.OpenAsync(client, $"{NodeX}&allowWatchBookmarks=true&resourceVersion={lastSeen}");
        Assert.Equal(200, (int)resumedWithBookmarks.Response.StatusCode);
        var onX = await upstream.CreatePodAsync(Namespace, "on-x", nodeName: "node-x");
        var next = await resumedWithBookmarks.NextChangeAsync(30);
        Assert.True(next["type"]!.GetValue<string>() == "ADDED", $"expected ADDED on-x, got {next.ToJsonString()}");
        Assert.Equal("on-x", next["object"]!["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(Rv(onX), Rv(next["object"]!));
        var metrics = await MetricsScrape.ScrapeAsync(proxy.Address);
        Assert.True(
            metrics.Sum("apicache_watch_events_sent_total", ("resource", "pods"), ("type", "ERROR")) >= 1,
            $"the 410 was not sent by the cache:\n{metrics.Lines("apicache_watch")}");
    }

    private static long Rv(System.Text.Json.Nodes.JsonNode obj) =>
        long.Parse(obj["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);

    private static async Task<long> ListResourceVersionAsync(HttpClient client)
    {
        var list = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync(new Uri("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-x", UriKind.Relative)))!;
        Assert.Empty(list["items"]!.AsArray());
        return Rv(list);
    }

    [GeneratedRegex("too old resource version: [0-9]+ \\([0-9]+\\)")]
    private static partial Regex TooOld();
}
