using System.Globalization;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.Tests.Caching;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// A watcher that stops reading (a raw socket with a small receive buffer that sends its request
/// and reads nothing more) among fast ones, while big configmaps churn: once its socket buffers and
/// its queue of <c>ApiCache:Watch:BufferEvents</c> (10) events are full the proxy closes it
/// (<c>apicache_watch_closed_total{reason="slow"}</c> = 1), the fast watchers see every write in
/// order, and the proxy's managed memory does not grow with the event volume (an unbounded buffer
/// for the stalled client would hold all of it).
/// </summary>
[Collection(WatchMemoryTestGroup.Name)]
public sealed class WatchSlowReaderTests(ITestOutputHelper output)
{
    private const string Namespace = "slow";
    private const int ConfigMaps = 20;
    private const int BlobBytes = 64 * 1024;
    private const int WarmUpWrites = 120;
    private const int PhaseWrites = 800;
    private const int FastWatchers = 3;

    /// <summary>How many events the writer may be ahead of the fast watchers: well inside their queues of 10, so they never fill.</summary>
    private const int Lead = 4;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Watch_ClientStopsReadingDuringChurn_ClosedAsSlowFastWatchersSeeAllMemoryBounded()
    {
        // Arrange: short histories on both sides, so neither keeps more than a few dozen big objects.
        await using var upstream = await DevServerHost.StartAsync(o => o.HistoryRevisions = 50);
        await upstream.CreateNamespaceAsync(Namespace);
        var blob = new string('x', BlobBytes);
        for (var i = 0; i < ConfigMaps; i++)
        {
            await upstream.CreateConfigMapAsync(Namespace, $"big-{i}", data: "{\"blob\":\"" + blob + "\",\"n\":\"initial\"}");
        }

        await using var proxy = await ProxyHost.StartAsync(upstream.Address, options =>
        {
            options.Cache.Enabled = true;
            options.Cache.Resources = [new CachedResourceOptions { Resource = "configmaps" }];
            options.Cache.HistoryMaxEvents = 50;
            options.Watch.BufferEvents = 10;
            options.Watch.SlowWatcherBudget = TimeSpan.FromMilliseconds(100);
        });
        var cache = proxy.Services.GetRequiredService<CacheRegistry>().Resources.Single().Cache;
        await CacheWait.UntilReadyAsync(cache);
        var (_, sample, _) = await upstream.GetAsync($"/api/v1/namespaces/{Namespace}/configmaps/big-0");
        var eventBytes = (long)sample!.ToJsonString().Length;
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = proxy.Address, Timeout = Timeout.InfiniteTimeSpan };
        var start = await CachedVersionAsync(upstream, cache);
        var fast = new List<EventSummaryReader>();
        try
        {
            // The fast watchers and a warm-up churn first: histories full, connection buffers and pools at their working size.
            for (var i = 0; i < FastWatchers; i++)
            {
                fast.Add(await EventSummaryReader.OpenAsync(client, $"/api/v1/namespaces/{Namespace}/configmaps?watch=1&resourceVersion={start}"));
            }

            var writes = new List<long>();
            for (var i = 0; i < WarmUpWrites; i++)
            {
                await KeepPaceAsync(fast, writes.Count - Lead);
                writes.Add(await TouchAsync(upstream, i));
            }

            await KeepPaceAsync(fast, writes.Count);
            await using var slow = await RawWatchConnection.SendOnlyAsync(
                proxy.Address, $"/api/v1/namespaces/{Namespace}/configmaps?watch=1&resourceVersion={writes[^1]}", receiveBufferSize: 4096);
            await UntilMetricAsync(proxy.Address, "apicache_watch_watchers", [("resource", "configmaps")], v => v == FastWatchers + 1, "all four watchers to be open");
            var baseline = ManagedMemory();

            // Act: phase 1 stalls the slow reader until the proxy closes it; phase 2 runs with it closed.
            for (var i = 0; i < PhaseWrites; i++)
            {
                await KeepPaceAsync(fast, writes.Count - Lead);
                writes.Add(await TouchAsync(upstream, WarmUpWrites + i));
            }

            await UntilMetricAsync(proxy.Address, "apicache_watch_closed_total", [("resource", "configmaps"), ("reason", "slow")], v => v >= 1, "the slow watcher to be closed");
            foreach (var reader in fast)
            {
                await reader.UntilCountAsync(writes.Count, Wait);
            }

            var afterPhase1 = ManagedMemory();
            for (var i = 0; i < PhaseWrites; i++)
            {
                await KeepPaceAsync(fast, writes.Count - Lead);
                writes.Add(await TouchAsync(upstream, WarmUpWrites + PhaseWrites + i));
            }

            foreach (var reader in fast)
            {
                await reader.UntilCountAsync(writes.Count, Wait);
            }

            var afterPhase2 = ManagedMemory();

            // Assert
            var phaseVolume = PhaseWrites * eventBytes;
            output.WriteLine($"event {eventBytes} B; managed memory: baseline {baseline / 1024} KiB, after phase 1 {afterPhase1 / 1024} KiB, after phase 2 {afterPhase2 / 1024} KiB; volume per phase {phaseVolume / 1024} KiB");
            foreach (var reader in fast)
            {
                Assert.False(reader.Ended, "a fast watcher's stream was closed");
                Assert.Equal(writes, reader.Events.Select(e => e.ResourceVersion));
                Assert.All(reader.Events, e => Assert.Equal("MODIFIED", e.Type));
            }

            var metrics = await MetricsScrape.ScrapeAsync(proxy.Address);
            Assert.True(
                metrics.Sum("apicache_watch_closed_total", ("resource", "configmaps"), ("reason", "slow")) == 1,
                $"expected exactly the one slow watcher closed:\n{metrics.Lines("apicache_watch")}");
            Assert.True(
                metrics.Sum("apicache_watch_watchers", ("resource", "configmaps")) == FastWatchers,
                $"expected the {FastWatchers} fast watchers still open:\n{metrics.Lines("apicache_watch")}");

            // Nothing holds the events: over both phases the managed heap grew by far less than what was
            // streamed in both phases, and by far less than phase 2 streamed once the slow watcher was gone.
            Assert.True(afterPhase2 - baseline < phaseVolume / 2, $"managed memory grew {(afterPhase2 - baseline) / 1024} KiB while {2 * phaseVolume / 1024} KiB of events were streamed");
            Assert.True(afterPhase2 - afterPhase1 < phaseVolume / 4, $"managed memory grew {(afterPhase2 - afterPhase1) / 1024} KiB during phase 2's {phaseVolume / 1024} KiB of events");
        }
        finally
        {
            foreach (var reader in fast)
            {
                await reader.DisposeAsync();
            }
        }
    }

    /// <summary>Waits until every fast watcher has received <paramref name="count"/> events (fast clients: they read as fast as the test writes).</summary>
    private static async Task KeepPaceAsync(List<EventSummaryReader> fast, int count)
    {
        foreach (var reader in fast)
        {
            await reader.UntilCountAsync(count, Wait);
        }
    }

    /// <summary>Changes the small field of one big configmap (the event still carries the whole object); returns the new resourceVersion.</summary>
    private static async Task<long> TouchAsync(DevServerHost upstream, int write)
    {
        var name = $"big-{write % ConfigMaps}";
        var (status, body, text) = await upstream.SendAsync(
            HttpMethod.Patch,
            $"/api/v1/namespaces/{Namespace}/configmaps/{name}",
            "{\"data\":{\"n\":\"" + write.ToString(CultureInfo.InvariantCulture) + "\"}}",
            "application/merge-patch+json");
        Assert.True(status == 200, $"PATCH {name}: {status} {text[..Math.Min(text.Length, 500)]}");
        return long.Parse(body!["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
    }

    private static async Task<long> CachedVersionAsync(DevServerHost upstream, ApiCache.Storage.WatchCache cache)
    {
        var (status, list, text) = await upstream.GetAsync($"/api/v1/namespaces/{Namespace}/configmaps?limit=1");
        Assert.True(status == 200, text);
        var latest = long.Parse(list!["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        await CacheWait.UntilFreshAsync(cache, latest);
        return cache.ResourceVersion;
    }

    /// <summary>The live managed heap after full, compacting collections.</summary>
    private static long ManagedMemory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>Polls /metrics (bounded, a hang guard) until the series sum satisfies <paramref name="condition"/>.</summary>
    private static async Task UntilMetricAsync(Uri proxy, string name, (string, string)[] labels, Func<double, bool> condition, string what)
    {
        MetricsScrape? last = null;
        for (var attempt = 0; attempt < 600; attempt++)
        {
            last = await MetricsScrape.ScrapeAsync(proxy);
            if (condition(last.Sum(name, labels)))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        Assert.Fail($"timed out waiting for {what}:\n{last?.Lines("apicache_watch")}");
    }
}
