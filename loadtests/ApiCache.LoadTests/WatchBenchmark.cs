using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using ApiCache.DevServer.Seeding;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.LoadTests;

/// <summary>
/// The <c>watch</c> mode (issue 6): WATCH fan-out. Starts the dev API server program (seeded:
/// pods over N nodes) and, for <c>--target sidecar</c>, the sidecar in front of it (pods cached),
/// lists the pods once from the dev server (their nodes, and the list's resourceVersion), opens
/// N x <c>--watchers-per-node</c> watchers with <c>fieldSelector=spec.nodeName=node-X</c> plus
/// <c>--unfiltered</c> watchers of all pods at that resourceVersion on the target, then patches pods
/// at <c>--rate</c> per second for <c>--duration</c> seconds straight on the dev server (the writer
/// stamps its send time in an annotation), waits up to <c>--drain</c> seconds for the watchers to
/// receive everything, and prints what was delivered, lost and how late, and the CPU and memory
/// of the processes (from /proc). Bounded: watchers, patches, the writer's and the drain's time.
/// </summary>
internal static class WatchBenchmark
{
    /// <summary>How long the sidecar may take to list the seeded pods before the run gives up.</summary>
    private static readonly TimeSpan CacheReadyDeadline = TimeSpan.FromMinutes(5);

    /// <summary>Watch streams being opened at once.</summary>
    private const int OpenConcurrency = 64;

    /// <summary>How long opening waits for one stream's response headers before it opens the next regardless.</summary>
    private static readonly TimeSpan HeadersWait = TimeSpan.FromMilliseconds(100);

    /// <summary>Runs the mode; returns the exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var options = WatchBenchmarkOptions.Parse(args);
        var layout = new ClusterLayout(new SeedOptions(options.Nodes, options.Pods, 0));
        Console.WriteLine($"# WATCH fan-out: {options.Nodes:N0} nodes x {options.WatchersPerNode} nodeName watcher(s) + {options.Unfiltered} unfiltered = {options.Watchers:N0} watchers of {options.Pods:N0} pods, via {options.Target switch { "sidecar" => "the sidecar, served from its cache (one upstream watch)", "forwarded" => "the sidecar forwarding every watch (ApiCache:Watch:Enabled=false)", _ => "the dev server directly" }}, HTTP/{options.Http}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; load average at start: {SidecarRun.LoadAverage()}; open files limit: {OpenFilesLimit()}");
        Console.WriteLine($"churn: {options.Rate:N0} pod patches/s for {options.Duration} s over {options.WriterConnections} connections straight to the dev server; drain up to {options.DrainSeconds} s");

        var started = Stopwatch.StartNew();
        var http2 = options.Http == 2;
        await using var devServer = await SidecarProcess.StartDevServerAsync(
        [.. SidecarRun.SeededDevServerArgs(options.Nodes, options.Pods), .. Http2ServerArgs(http2 && !options.ViaSidecar)]);
        Console.WriteLine($"dev server: seeded and serving on {devServer.Address} after {started.Elapsed.TotalSeconds:0.0} s (pid {devServer.ProcessId})");

        await using var sidecar = options.ViaSidecar
            ? await SidecarProcess.StartAsync(
            [
                .. SidecarRun.PodsCachingSidecarArgs(devServer.Address),
                .. Http2ServerArgs(http2),
                .. (options.Target == "forwarded" ? ["--ApiCache:Watch:Enabled=false"] : Array.Empty<string>()),
                .. options.SidecarArgs,
            ])
            : null;
        using var writerClient = CreateClient(devServer.Address, http2 && !options.ViaSidecar, options.WriterConnections);
        using var watchClient = CreateClient(sidecar?.Address ?? devServer.Address, http2, int.MaxValue);
        if (sidecar is not null)
        {
            var readyAfter = await SidecarRun.WaitForCacheAsync(watchClient, "/api/v1/pods?resourceVersion=0&fieldSelector=spec.nodeName%3D" + layout.Nodes[0], CacheReadyDeadline);
            Console.WriteLine($"sidecar: serving on {sidecar.Address} (pid {sidecar.ProcessId}); pods cache answering {readyAfter.TotalSeconds:0.0} s after start");
        }

        var (podsByNode, listRevision, unscheduled) = await ListPodsAsync(writerClient, layout.Nodes);
        Console.WriteLine($"listed {podsByNode.Sum(p => p.Count):N0} scheduled pods ({unscheduled} unscheduled, not patched) at resourceVersion {listRevision}; {podsByNode.Count(p => p.Count == 0)} nodes have no pod");

        // Watchers: every node's first, then the unfiltered ones; opened a few at a time, each then read by its own task.
        var nodeLatencies = new LatencyHistogram();
        var unfilteredLatencies = new LatencyHistogram();
        var streams = new List<WatchStream>(options.Watchers);
        for (var w = 0; w < options.WatchersPerNode; w++)
        {
            streams.AddRange(layout.Nodes.Select(n => new WatchStream(watchClient, n, listRevision, 8 * 1024, nodeLatencies)));
        }

        streams.AddRange(Enumerable.Range(0, options.Unfiltered).Select(_ => new WatchStream(watchClient, null, listRevision, 64 * 1024, unfilteredLatencies)));
        using var stop = new CancellationTokenSource();
        var opening = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(OpenConcurrency);
        var readers = new List<Task>(streams.Count);
        foreach (var stream in streams)
        {
            // A few at a time; a stream whose headers do not come quickly (a forwarding proxy may send them only
            // with the first event) does not hold up the others.
            await gate.WaitAsync();
            readers.Add(stream.RunAsync(stop.Token));
            _ = stream.HeadersReceived.WaitAsync(HeadersWait).ContinueWith(_ => gate.Release(), TaskScheduler.Default);
        }

        await Task.WhenAll(streams.Select(s => s.HeadersReceived)).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        Console.WriteLine($"opened {streams.Count:N0} watch streams in {opening.Elapsed.TotalSeconds:0.0} s; {streams.Count(s => s.HeadersReceived.IsCompleted):N0} had their response headers 5 s later ({streams.Count(s => s.Reconnects > 0)} needed retries; last failure: {streams.LastOrDefault(s => s.LastFailure is not null)?.LastFailure ?? "none"})");
        Console.WriteLine($"memory after opening: dev server {Describe(ProcessUsage.Read(devServer.ProcessId))}{(sidecar is null ? "" : "; sidecar " + Describe(ProcessUsage.Read(sidecar.ProcessId)))}");

        // The measured window: the writer's run.
        var writer = new PodPatchWriter(writerClient, podsByNode, options.Rate);
        var pids = new List<(string Name, int Pid)> { ("dev server", devServer.ProcessId), ("driver", Environment.ProcessId) };
        if (sidecar is not null)
        {
            pids.Insert(0, ("sidecar", sidecar.ProcessId));
        }

        var before = pids.Select(p => ProcessUsage.Read(p.Pid)).ToArray();
        using var progressStop = new CancellationTokenSource();
        var progress = ReportProgressAsync(writer, nodeLatencies, unfilteredLatencies, progressStop.Token);
        var wrote = await writer.RunAsync(TimeSpan.FromSeconds(options.Duration), options.WriterConnections);
        var during = pids.Select(p => ProcessUsage.Read(p.Pid)).ToArray();
        var deliveredWhileWriting = nodeLatencies.Count + unfilteredLatencies.Count;

        // Drain: every node watcher must see its node's patches, every unfiltered one all of them.
        var nodeIndex = layout.Nodes.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        var expected = streams.Select(s => s.NodeName is null ? writer.Written : writer.WrittenPerNode[nodeIndex[s.NodeName]]).ToArray();
        var draining = Stopwatch.StartNew();
        while (draining.Elapsed < TimeSpan.FromSeconds(options.DrainSeconds) && Enumerable.Range(0, streams.Count).Any(i => streams[i].Received < expected[i]))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        var drained = draining.Elapsed;
        await progressStop.CancelAsync();
        await progress;
        var after = pids.Select(p => ProcessUsage.Read(p.Pid)).ToArray();
        var latencies = LatencyHistogram.Combine(nodeLatencies, unfilteredLatencies);
        var metrics = sidecar is null ? [] : await ScrapeWatchMetricsAsync(watchClient);
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            Console.WriteLine($"{readers.Count(r => !r.IsCompleted)} watch readers did not stop within 30 s");
        }

        var received = streams.Sum(s => s.Received);
        var expectedTotal = expected.Sum();
        var short_ = Enumerable.Range(0, streams.Count).Where(i => streams[i].Received < expected[i]).ToArray();
        var lost = short_.Sum(i => expected[i] - streams[i].Received);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"writer: {writer.Written:N0} patches in {wrote.TotalSeconds:0.0} s = {writer.Written / wrote.TotalSeconds:0} /s (target {options.Rate}), {writer.Failures} failed; PATCH p50 {writer.Latencies.Percentile(0.5):0.0} ms, p99 {writer.Latencies.Percentile(0.99):0.0} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"watchers: {received:N0} of {expectedTotal:N0} expected events received ({lost:N0} missing at {drained.TotalSeconds:0.0} s of drain, in {short_.Length} watchers); {deliveredWhileWriting:N0} while writing = {deliveredWhileWriting / wrote.TotalSeconds:0} events/s; reconnects {streams.Sum(s => s.Reconnects)}, ERROR events {streams.Sum(s => s.Errors)}, bookmarks {streams.Sum(s => s.Bookmarks):N0}"));
        Console.WriteLine($"watchers that never had their response headers: {streams.Count(s => !s.HeadersReceived.IsCompleted):N0}");
        foreach (var (who, histogram) in new[] { ("all watchers", latencies), ("nodeName watchers", nodeLatencies), ("unfiltered watchers", unfilteredLatencies) })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"end-to-end latency (patch sent -> event read), {who}: {histogram.Count:N0} events, p50 {histogram.Percentile(0.5):0.0} ms, p99 {histogram.Percentile(0.99):0.0} ms, max {histogram.MaxMilliseconds:0.0} ms"));
        }
        Console.WriteLine();
        Console.WriteLine("| process | CPU while writing (cores) | CPU during drain (cores; - under 1 s) | RSS after writing MiB | peak RSS MiB |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        for (var i = 0; i < pids.Count; i++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {pids[i].Name} | {during[i].CoresSince(before[i]):0.00} | {(drained.TotalSeconds >= 1 ? after[i].CoresSince(during[i]).ToString("0.00", CultureInfo.InvariantCulture) : "-")} | {SidecarRun.Mib(during[i].RssBytes)} | {SidecarRun.Mib(after[i].PeakRssBytes)} |"));
        }

        Console.WriteLine();
        var proxy = sidecar is null ? 1 : 0;
        Console.WriteLine("| target | watchers | patches/s | events delivered/s (while writing) | received / expected | missing | reconnects | latency p50 / p99 / max ms | nodeName watchers p50 / p99 ms | proxy CPU cores | proxy RSS / peak MiB | dev server CPU cores | dev server RSS / peak MiB |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---|---|---:|---|---:|---|");
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {options.Target} | {streams.Count:N0} | {writer.Written / wrote.TotalSeconds:0} | {deliveredWhileWriting / wrote.TotalSeconds:N0} | {received:N0} / {expectedTotal:N0} | {lost:N0} | {streams.Sum(s => s.Reconnects)} | {latencies.Percentile(0.5):0.0} / {latencies.Percentile(0.99):0.0} / {latencies.MaxMilliseconds:0} | {nodeLatencies.Percentile(0.5):0.0} / {nodeLatencies.Percentile(0.99):0.0} | {(sidecar is null ? "-" : during[0].CoresSince(before[0]).ToString("0.00", CultureInfo.InvariantCulture))} | {(sidecar is null ? "-" : $"{SidecarRun.Mib(during[0].RssBytes)} / {SidecarRun.Mib(after[0].PeakRssBytes)}")} | {during[1 - proxy].CoresSince(before[1 - proxy]):0.00} | {SidecarRun.Mib(during[1 - proxy].RssBytes)} / {SidecarRun.Mib(after[1 - proxy].PeakRssBytes)} |"));
        if (metrics.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("sidecar watch metrics at the end:");
            foreach (var line in metrics)
            {
                Console.WriteLine("    " + line);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"load average at end: {SidecarRun.LoadAverage()}; total {started.Elapsed.TotalMinutes:0.0} min");
        return 0;
    }

    /// <summary>Kestrel set to HTTP/2 only (h2c with prior knowledge on plain HTTP); streams per connection as Kestrel's default (100).</summary>
    private static string[] Http2ServerArgs(bool http2) => http2 ? ["--Kestrel:EndpointDefaults:Protocols=Http2"] : [];

    /// <summary>A client without proxy or decompression; HTTP/2 exact (several connections once 100 streams are open on one) or HTTP/1.1.</summary>
    private static HttpClient CreateClient(Uri address, bool http2, int connections) =>
        new(new SocketsHttpHandler
        {
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = connections,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        })
        {
            BaseAddress = address,
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = http2 ? HttpVersion.Version20 : HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

    /// <summary>All pods from the dev server: (namespace, name) per node in the layout's node order, the list's resourceVersion, and how many had no node.</summary>
    private static async Task<(List<(string Namespace, string Name)>[] PodsByNode, long Revision, int Unscheduled)> ListPodsAsync(HttpClient direct, IReadOnlyList<string> nodes)
    {
        var index = nodes.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        var podsByNode = nodes.Select(_ => new List<(string, string)>()).ToArray();
        using var response = await direct.GetAsync(new Uri("/api/v1/pods", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        using var list = await JsonDocument.ParseAsync(body);
        var unscheduled = 0;
        foreach (var pod in list.RootElement.GetProperty("items").EnumerateArray())
        {
            var metadata = pod.GetProperty("metadata");
            if (pod.GetProperty("spec").TryGetProperty("nodeName", out var node) && node.GetString() is string name && index.TryGetValue(name, out var i))
            {
                podsByNode[i].Add((metadata.GetProperty("namespace").GetString()!, metadata.GetProperty("name").GetString()!));
            }
            else
            {
                unscheduled++;
            }
        }

        var revision = long.Parse(list.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!, CultureInfo.InvariantCulture);
        return (podsByNode, revision, unscheduled);
    }

    /// <summary>Prints patches written and events delivered every 10 s while the writer runs.</summary>
    private static async Task ReportProgressAsync(PodPatchWriter writer, LatencyHistogram nodes, LatencyHistogram unfiltered, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {clock.Elapsed.TotalSeconds:0} s: {writer.Written:N0} patches, {nodes.Count + unfiltered.Count:N0} events delivered, p99 so far {nodes.Percentile(0.99):0.0} ms (nodeName watchers) / {unfiltered.Percentile(0.99):0.0} ms (unfiltered); load {SidecarRun.LoadAverage()}"));
            }
        }
        catch (OperationCanceledException)
        {
            // Writing and draining are over.
        }
    }

    /// <summary>The sidecar's <c>apicache_watch_*</c> samples and its watch read paths, from /metrics.</summary>
    private static async Task<List<string>> ScrapeWatchMetricsAsync(HttpClient sidecar)
    {
        var text = await sidecar.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return [.. text.Split('\n').Where(l => l.StartsWith("apicache_watch_", StringComparison.Ordinal)
            || (l.StartsWith("apicache_cache_reads_total", StringComparison.Ordinal) && l.Contains("verb=\"watch\"", StringComparison.Ordinal)))];
    }

    private static string Describe(ProcessUsage usage) => $"RSS {SidecarRun.Mib(usage.RssBytes)} MiB (peak {SidecarRun.Mib(usage.PeakRssBytes)} MiB)";

    private static string OpenFilesLimit() =>
        File.Exists("/proc/self/limits")
            ? string.Join(' ', (File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal)) ?? "n/a")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(3).Take(2)) + " (soft hard)"
            : "n/a";
}
