using System.Globalization;
using System.Text.Json.Nodes;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.Tests.Caching;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// Graceful shutdown of a proxy serving watches from its cache (the host stopped as a SIGTERM stops
/// it): every open watcher that allows bookmarks gets a last BOOKMARK, and every watcher's chunked
/// stream ends with its terminator, not a reset, so clients resume from a fresh resourceVersion.
/// </summary>
public sealed class WatchShutdownTests(ITestOutputHelper output)
{
    private const string Namespace = "shutdown";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StopAsync_OpenWatchers_BookmarkWatchersGetFinalBookmarkAndAllStreamsEndCleanly()
    {
        // Arrange: long bookmark intervals, so the only bookmarks after the start are the final ones.
        await using var upstream = await DevServerHost.StartAsync();
        await upstream.CreateNamespaceAsync(Namespace);
        for (var i = 0; i < 3; i++)
        {
            await upstream.CreatePodAsync(Namespace, $"pod-{i}", nodeName: i == 0 ? "node-1" : "node-2");
        }

        await using var proxy = await ProxyHost.StartAsync(upstream.Address, options =>
        {
            options.Cache.Enabled = true;
            options.Cache.Resources = [new CachedResourceOptions { Resource = "pods" }];
            options.Watch.BookmarkInterval = TimeSpan.FromHours(1);
        });
        var cache = proxy.Services.GetRequiredService<CacheRegistry>().Resources.Single().Cache;
        await CacheWait.UntilReadyAsync(cache);
        var (status, list, text) = await upstream.GetAsync("/api/v1/pods?limit=1");
        Assert.True(status == 200, text);
        var current = long.Parse(list!["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        await CacheWait.UntilFreshAsync(cache, current);
        string[] bookmarkQueries =
        [
            $"/api/v1/namespaces/{Namespace}/pods?watch=1&allowWatchBookmarks=true&resourceVersion={current}",
            "/api/v1/pods?watch=1&allowWatchBookmarks=true&fieldSelector=spec.nodeName%3Dnode-1&resourceVersion=" + current,
            "/api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion=0",
        ];
        var plainQuery = $"/api/v1/namespaces/{Namespace}/pods?watch=1&resourceVersion={current}";
        var watchers = new List<RawWatchConnection>();
        try
        {
            foreach (var query in bookmarkQueries.Append(plainQuery))
            {
                var watcher = await RawWatchConnection.OpenAsync(proxy.Address, query, Wait);
                watchers.Add(watcher);
                Assert.Equal(200, watcher.StatusCode);
            }

            // The rv=0 watcher's replay ends with its initial-events-end bookmark; then every watcher is idle.
            for (var i = 0; i < 100; i++)
            {
                var line = await watchers[2].NextLineAsync(Wait);
                if (line.Contains("k8s.io/initial-events-end", StringComparison.Ordinal))
                {
                    break;
                }
            }

            // Act
            using var stopDeadline = new CancellationTokenSource(Wait);
            var ends = watchers.Select(w => w.ReadToEndAsync(Wait)).ToList();
            await proxy.StopAsync(stopDeadline.Token);
            var results = await Task.WhenAll(ends);

            // Assert
            for (var i = 0; i < results.Length; i++)
            {
                var (lines, error) = results[i];
                var query = i < bookmarkQueries.Length ? bookmarkQueries[i] : plainQuery;
                output.WriteLine($"{query}: {lines.Count} lines at shutdown, terminated {watchers[i].Terminated}, error {error?.Message}\n{string.Join('\n', lines)}");
                Assert.True(error is null, $"{query}: the stream did not end cleanly: {error}");
                Assert.True(watchers[i].Terminated, $"{query}: no chunked terminator");
                var types = lines.Select(l => JsonNode.Parse(l)!["type"]!.GetValue<string>()).ToList();
                if (i < bookmarkQueries.Length)
                {
                    Assert.Equal(["BOOKMARK"], types);
                    var rv = long.Parse(JsonNode.Parse(lines[0])!["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                    Assert.True(rv >= current, $"{query}: the final bookmark's resourceVersion {rv} is older than the start {current}");
                }
                else
                {
                    Assert.Empty(types);
                }
            }
        }
        finally
        {
            foreach (var watcher in watchers)
            {
                await watcher.DisposeAsync();
            }
        }
    }
}
