using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ApiCache.Caching;
using ApiCache.DevServer.Storage;
using ApiCache.Informers;
using ApiCache.Tests.Caching;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// The event-stream correctness test of WATCH through the proxy (issue 6): many concurrent watchers
/// with different scopes, label and field selectors, starts (resourceVersion unset, "0", a recent
/// one, WatchList), with and without bookmarks, some with short timeouts so they resume from their
/// last resourceVersion, while a seeded writer churns pods on the dev server and the proxy's
/// connection to it is cut now and then, sometimes for a while during which the writer goes on and
/// the store is then compacted (so the proxy's informer and resuming clients get 410 and re-list).
/// The ground truth is a direct unfiltered watch on the dev server; every watcher's requests must
/// show exactly its view of the recorded changes (see <see cref="WatchStreamChecker"/>), and in the
/// end its view must equal a direct LIST with its selectors. Subclasses choose the store.
/// </summary>
public abstract class WatchCorrectnessTests(ITestOutputHelper output)
{
    private const int Writes = 300;
    private const int Disruptions = 4;

    /// <summary>The store under the dev server (disposed after it).</summary>
    private protected abstract IRevisionedStore CreateStore();

    /// <summary>The store's name in the output.</summary>
    private protected abstract string StoreName { get; }

    /// <summary>How many watchers a run has.</summary>
    private protected abstract int Watchers { get; }

    /// <summary>
    /// One seeded run with watches served from the cache. <paramref name="historyMaxEvents"/> &gt; 0
    /// makes the proxy's history that small (resuming watchers then get 410 from it).
    /// </summary>
    [Theory]
    [InlineData(1001, 0)]
    [InlineData(2002, 40)]
    public Task WatchStreams_ChurnWithCutsAndCompactions_EveryWatcherGetsExactlyTheUpstreamStates(int seed, int historyMaxEvents) =>
        RunAsync(seed, historyMaxEvents, watchFromCache: true);

    /// <summary>One seeded run (see the test above); <paramref name="watchFromCache"/> false forwards watches (ApiCache:Watch:Enabled=false), the baseline that checks the harness against the dev server.</summary>
    private protected async Task RunAsync(int seed, int historyMaxEvents, bool watchFromCache)
    {
        var run = string.Create(CultureInfo.InvariantCulture, $"[{StoreName}, seed {seed}, history {(historyMaxEvents > 0 ? historyMaxEvents.ToString(CultureInfo.InvariantCulture) : "default")}, watch from cache {watchFromCache}]");
        var random = new Random(seed);
        await using var store = CreateStore();
        await using var upstream = await DevServerHost.StartAsync(o => o.BookmarkInterval = TimeSpan.FromMilliseconds(300), store);
        foreach (var ns in ChurnWriter.Namespaces)
        {
            await upstream.CreateNamespaceAsync(ns);
        }

        var startRevision = await store.GetRevisionAsync(CancellationToken.None);
        await using var truth = TruthWatch.Start(upstream.Address, startRevision);
        await using var relay = TcpRelay.Start(upstream.Address);
        await using var proxy = await ProxyHost.StartAsync(relay.Address, options =>
        {
            options.Cache.Enabled = true;
            options.Cache.Resources = [new() { Resource = "pods", IndexedFields = ["spec.nodeName"] }];
            options.Cache.MinWatchTimeout = TimeSpan.FromSeconds(2);
            options.Cache.InitialBackoff = TimeSpan.FromMilliseconds(50);
            options.Cache.MaxBackoff = TimeSpan.FromMilliseconds(400);
            if (historyMaxEvents > 0)
            {
                options.Cache.HistoryMaxEvents = historyMaxEvents;
            }

            options.Watch.Enabled = watchFromCache;
            options.Watch.BookmarkInterval = TimeSpan.FromMilliseconds(500);
        });
        var pods = proxy.Services.GetRequiredService<CacheRegistry>().Resources.Single();
        await CacheWait.UntilReadyAsync(pods.Cache);

        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = proxy.Address, Timeout = TimeSpan.FromSeconds(30) };
        var specs = Enumerable.Range(0, Watchers).Select(id => NewSpec(id, random)).ToList();
        var watchers = specs.Select(s => new ClientWatcher(s, client, () => store.GetRevisionAsync(CancellationToken.None).AsTask())).ToList();
        using var stop = new CancellationTokenSource();
        var running = new List<Task>();

        // The disruptions: at seeded writes, cut the proxy's connections; every other one also keeps
        // the upstream unreachable for some writes, then compacts the store before it comes back.
        var cuts = Enumerable.Range(0, Disruptions).ToDictionary(d => (d * Writes / Disruptions) + random.Next(10, Writes / Disruptions / 2), d => d % 2 == 1 ? random.Next(5, 20) : 0);
        var outageEnds = -1;
        var compactions = 0;
        long outageFrom = 0;
        var outages = new List<(long From, long CompactedAt)>();
        var dead = DeadPort();
        var writer = new ChurnWriter(upstream, random);
        for (var write = 0; write < Writes; write++)
        {
            foreach (var watcher in watchers.Where(w => w.Spec.StartAfterWrite == write))
            {
                var recent = RecentRevision(truth.Record, random);
                running.Add(Task.Run(() => watcher.RunAsync(recent, stop.Token)));
            }

            if (cuts.TryGetValue(write, out var outage))
            {
                if (outage > 0)
                {
                    relay.Backend = dead;
                    outageEnds = write + outage;
                    outageFrom = await store.GetRevisionAsync(CancellationToken.None);
                }

                relay.DropConnections();
            }

            if (write == outageEnds)
            {
                compactions++;
                var compacted = await CompactAsync(store, truth);
                outages.Add((outageFrom, compacted));
                relay.Backend = upstream.Address;
            }

            await writer.WriteAsync();
            await Task.Delay(random.Next(0, 40));
        }

        relay.Backend = upstream.Address;
        var finalRevision = await store.GetRevisionAsync(CancellationToken.None);
        await truth.UntilAsync(finalRevision);
        var record = truth.Record.Changes;
        AssertRecordHoldsWrites(writer, record, run);

        // Every watcher converges on a direct LIST with its selectors.
        var phases = System.Diagnostics.Stopwatch.StartNew();
        var converged = await ConvergeAsync(upstream, watchers, run);
        var convergedAfter = phases.Elapsed;
        await stop.CancelAsync();
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run}: converged in {convergedAfter.TotalSeconds:0.0} s, watchers stopped {(phases.Elapsed - convergedAfter).TotalSeconds:0.0} s later"));

        using var scraper = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = proxy.Address, Timeout = TimeSpan.FromSeconds(30) };
        var sent = WatchEventsSent(await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative)));
        var failures = new List<string>();
        foreach (var watcher in watchers)
        {
            var segments = watcher.Segments;
            if (new WatchStreamChecker(watcher.Spec, record, startRevision).Check(segments) is string failure)
            {
                failures.Add($"{watcher.Spec}: {failure}");
            }
        }

        var all = watchers.SelectMany(w => w.Segments).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{run}: {record.Count} changes up to {finalRevision}, {compactions} compactions (upstream unreachable from-compacted at: {string.Join(", ", outages.Select(o => $"{o.From}-{o.CompactedAt}"))}), {watchers.Count} watchers, {all.Count} requests ({all.Count(s => s.Kind == SegmentKind.Relist)} re-lists, {all.Count(s => s.End.StartsWith("error 410", StringComparison.Ordinal))} 410 events, {all.Count(s => s.End.StartsWith("io", StringComparison.Ordinal))} cut), {all.Sum(s => s.Events.Count)} events; informer relists expired={pods.Reflector.GetRelistCount(RelistReason.Expired)}, watch restarts {pods.Reflector.WatchRestarts}"));
        // Who served the watches: the cache (events counted by the proxy's watch metrics), or the dev server (forwarded, none counted).
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run}: apicache_watch_events_sent_total for pods: {sent}"));
        Assert.True(watchFromCache ? sent > 0 : sent == 0, $"{run}: apicache_watch_events_sent_total for pods is {sent}");
        Assert.True(failures.Count == 0, $"{run}: {failures.Count} of {watchers.Count} watchers got streams that differ from the upstream's record:\n" + string.Join("\n", failures));
        Assert.True(converged is null, $"{run}: {converged}");

        // The harness did what it claims: the proxy's informer had to re-list after a compaction, and clients re-listed after a 410.
        Assert.True(compactions > 0 && pods.Reflector.GetRelistCount(RelistReason.Expired) > 0, $"{run}: the proxy's informer never re-listed after a compaction ({compactions} compactions)");
        if (!watchFromCache)
        {
            Assert.True(all.Any(s => s.Kind == SegmentKind.Relist && s.FromRevision is not null), $"{run}: no watcher re-listed after a 410");
        }
    }

    /// <summary>The sum of <c>apicache_watch_events_sent_total{resource="pods",...}</c> in a scrape (0 when absent).</summary>
    private static long WatchEventsSent(string metrics) =>
        metrics.Split('\n')
            .Where(l => l.StartsWith("apicache_watch_events_sent_total{", StringComparison.Ordinal) && l.Contains("resource=\"pods\"", StringComparison.Ordinal))
            .Sum(l => (long)double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    /// <summary>A watcher: selectors round-robin (so every view is covered), start, bookmarks, timeout and start time seeded.</summary>
    private static WatcherSpec NewSpec(int id, Random random)
    {
        var view = SelectorCase.All[id % SelectorCase.All.Length];
        var start = (WatcherStart)random.Next(4);
        var bookmarks = start == WatcherStart.WatchList || random.Next(2) == 0;
        int? timeout = random.Next(3) switch
        {
            0 => null,
            1 => random.Next(1, 3),
            _ => random.Next(3, 7),
        };
        var after = random.Next(3) == 0 ? 0 : random.Next(Writes * 2 / 3);
        return new WatcherSpec(id, view.Namespace, view.LabelSelector, view.FieldSelector, view.Predicate, start, bookmarks, timeout, after);
    }

    /// <summary>A recent revision to start from: one of the last few changes the upstream made (or the start).</summary>
    private static long RecentRevision(UpstreamRecord record, Random random)
    {
        var changes = record.Changes;
        var back = random.Next(1, 6);
        return changes.Count >= back ? changes[^back].Revision : record.StartRevision;
    }

    /// <summary>Compacts the store at its current revision once the direct watch has it (so the ground truth is not cut).</summary>
    private static async Task<long> CompactAsync(IRevisionedStore store, TruthWatch truth)
    {
        var revision = await store.GetRevisionAsync(CancellationToken.None);
        await truth.UntilAsync(revision);
        await store.CompactAsync(revision, CancellationToken.None);
        return revision;
    }

    /// <summary>A loopback port nothing listens on (connections to it are refused).</summary>
    private static Uri DeadPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>Every object a write answered is in the record at its revision (the ground truth is whole).</summary>
    private static void AssertRecordHoldsWrites(ChurnWriter writer, IReadOnlyList<RecordedChange> record, string run)
    {
        var byRevision = record.ToDictionary(c => c.Revision);
        foreach (var written in writer.Written)
        {
            var revision = UpstreamRecord.ResourceVersion(written);
            Assert.True(byRevision.TryGetValue(revision, out var change) && change.Type != "DELETED" && JsonNode.DeepEquals(change.Object, written),
                $"{run}: the direct watch lacks the write of {UpstreamRecord.KeyOf(written)} at {revision}: {written.ToJsonString()}");
        }

        foreach (var (key, last) in writer.Deleted)
        {
            Assert.Contains(record, c => c.Key == key && c.Type == "DELETED" && c.Revision > last);
        }
    }

    /// <summary>Waits (30 s at most in all) until every watcher's view equals a direct LIST with its selectors; returns the first that does not.</summary>
    private static async Task<string?> ConvergeAsync(DevServerHost upstream, List<ClientWatcher> watchers, string run)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        foreach (var watcher in watchers)
        {
            var (status, body, text) = await upstream.GetAsync(watcher.Spec.ListPath());
            Assert.True(status == 200, $"{run}: direct LIST {watcher.Spec.ListPath()} answered {status}: {text}");
            var want = body!["items"]!.AsArray().ToDictionary(i => UpstreamRecord.KeyOf(i!), i => (JsonObject)i!, StringComparer.Ordinal);
            string? difference;
            while ((difference = Difference(watcher.View(), want)) is not null && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            if (difference is not null)
            {
                return $"{watcher.Spec} never reached the upstream's final state: {difference}; its requests:\n  {string.Join("\n  ", watcher.Segments.TakeLast(5))}";
            }
        }

        return null;
    }

    /// <summary>An event's object as a list item: without kind and apiVersion.</summary>
    private static JsonObject WithoutTypeMeta(JsonObject obj)
    {
        var item = (JsonObject)obj.DeepClone();
        item.Remove("kind");
        item.Remove("apiVersion");
        return item;
    }

    private static string? Difference(Dictionary<string, JsonObject> view, Dictionary<string, JsonObject> want)
    {
        var text = new StringBuilder();
        foreach (var (key, obj) in want)
        {
            if (!view.TryGetValue(key, out var got))
            {
                text.Append(CultureInfo.InvariantCulture, $" missing {key}@{UpstreamRecord.ResourceVersion(obj)};");
            }
            else if (!JsonNode.DeepEquals(WithoutTypeMeta(got), obj))
            {
                text.Append(CultureInfo.InvariantCulture, $" {key} at {UpstreamRecord.ResourceVersion(got)}, not {UpstreamRecord.ResourceVersion(obj)};");
            }
        }

        foreach (var key in view.Keys.Where(k => !want.ContainsKey(k)))
        {
            text.Append(CultureInfo.InvariantCulture, $" extra {key}@{UpstreamRecord.ResourceVersion(view[key])};");
        }

        return text.Length == 0 ? null : text.ToString();
    }
}
