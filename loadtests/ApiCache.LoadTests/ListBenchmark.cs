using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ApiCache.DevServer.Seeding;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.LoadTests;

/// <summary>
/// The <c>list</c> mode: LIST and GET of pods served from the sidecar's cache against the same
/// reads straight to the dev API server, in one run. Starts the dev server program (seeded,
/// loopback) and the sidecar in front of it (only pods cached; in-flight read limit off so it
/// cannot shed load), waits until the pods cache answers, then runs each scenario against the
/// three targets of <see cref="ReadTarget.All"/> (warm-up, then a measured run bounded in time
/// and count over the same connections) and prints markdown tables, ratios and read paths.
/// </summary>
internal static class ListBenchmark
{
    /// <summary>How long the sidecar may take to list the seeded pods before the run gives up.</summary>
    private static readonly TimeSpan CacheReadyDeadline = TimeSpan.FromMinutes(10);

    /// <summary>Pods sampled per namespace for GETs and pod-template-hash values.</summary>
    private const int SamplePerNamespace = 100;

    /// <summary>Requests per sequential timing of the revision probe's shapes.</summary>
    private const int ProbeRepeats = 20;

    /// <summary>Runs the mode; returns the exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var options = ListBenchmarkOptions.Parse(args);
        var layout = new ClusterLayout(new SeedOptions(options.Nodes, options.Pods, 0));
        Console.WriteLine($"# LIST and GET from the cache: {options.Pods:N0} pods on {options.Nodes:N0} nodes ({layout.Namespaces.Count} namespaces)");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; load average at start: {SidecarRun.LoadAverage()}");
        Console.WriteLine($"runs: {options.WarmupSeconds} s warm-up + {options.Seconds} s measured per target, {options.Connections} connections ({options.FullListConnections} for the full LIST), at most {options.MaxRequests:N0} requests per run");

        var started = Stopwatch.StartNew();
        await using var devServer = await SidecarProcess.StartDevServerAsync(SidecarRun.SeededDevServerArgs(options.Nodes, options.Pods));
        Console.WriteLine($"dev server: seeded and serving on {devServer.Address} after {started.Elapsed.TotalSeconds:0.0} s");

        started.Restart();
        await using var sidecar = await SidecarProcess.StartAsync(SidecarRun.PodsCachingSidecarArgs(devServer.Address));
        using var control = new HttpClient { BaseAddress = sidecar.Address, Timeout = TimeSpan.FromSeconds(60) };
        using var directControl = new HttpClient { BaseAddress = devServer.Address, Timeout = TimeSpan.FromSeconds(120) };
        var readyAfter = await SidecarRun.WaitForCacheAsync(control, "/api/v1/pods?resourceVersion=0&fieldSelector=spec.nodeName%3D" + layout.Nodes[0], CacheReadyDeadline);
        Console.WriteLine($"sidecar: serving on {sidecar.Address}; pods cache answering {readyAfter.TotalSeconds:0.0} s after start; working set {SidecarRun.Mib(sidecar.WorkingSetBytes)} MiB, peak {SidecarRun.Mib(sidecar.PeakWorkingSetBytes)} MiB");

        var sample = await SampleAsync(directControl, layout.Namespaces);
        var scenarios = Scenarios(options, layout, sample);
        Console.WriteLine($"sampled {sample.Pods.Count} pods and {sample.Hashes.Count} pod-template-hash values from the dev server");
        var pod = sample.Pods[0];
        foreach (var (what, path) in new[]
        {
            ("the sidecar's quorum probe", "/api/v1/pods?limit=1"),
            ("the same probe over an empty namespace", "/api/v1/namespaces/apicache-empty-probe/pods?limit=1"),
            ("a GET of one pod", $"/api/v1/namespaces/{pod.Namespace}/pods/{pod.Name}"),
        })
        {
            Console.WriteLine($"direct, one at a time, {ProbeRepeats}x: {what} (`{path}`): {await SequentialTimesAsync(directControl, path)}");
        }

        Console.WriteLine();

        var results = new List<(ListScenario Scenario, ReadTarget Target, LoadResult Result, ReadPathSnapshot Paths)>();
        foreach (var scenario in scenarios)
        {
            var memoryBefore = $"working set {SidecarRun.Mib(sidecar.WorkingSetBytes)} MiB, peak {SidecarRun.Mib(sidecar.PeakWorkingSetBytes)} MiB";

            var items = scenario.CountItems ? await CountItemsAsync(control, ReadTarget.All[1].PathFor(scenario.Paths[0])) : (int?)null;
            Console.WriteLine($"## {scenario.Name}");
            Console.WriteLine();
            Console.WriteLine($"{scenario.Paths.Count} request path(s) rotated, e.g. `{scenario.Paths[0]}`{(items is int n ? $" ({n} items)" : "")}; {scenario.Connections} connections");
            Console.WriteLine();
            Console.WriteLine("| target | requests | non-2xx | req/s | p50 ms | p99 ms | mean ms | MB/s | bytes/answer | sidecar read paths | mean consistent wait ms |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
            foreach (var target in ReadTarget.All)
            {
                using var client = LoadRunner.CreateClient(target.ViaSidecar ? sidecar.Address : devServer.Address, scenario.Connections);
                var paths = scenario.Paths.Select(target.PathFor).ToArray();
                if (options.WarmupSeconds > 0)
                {
                    await LoadRunner.RunAsync(client, paths, scenario.Connections, TimeSpan.FromSeconds(options.WarmupSeconds), options.MaxRequests);
                }

                var before = await ReadPathSnapshot.ScrapeAsync(control, "pods");
                var result = await LoadRunner.RunAsync(client, paths, scenario.Connections, TimeSpan.FromSeconds(options.Seconds), options.MaxRequests);
                var readPaths = (await ReadPathSnapshot.ScrapeAsync(control, "pods")).Since(before);
                results.Add((scenario, target, result, readPaths));
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {target.Name} | {result.Requests:N0} | {result.Failures}{(result.Failures > 0 ? " (" + result.FailureCodes + ")" : "")} | {result.RequestsPerSecond:0.0} | {result.Percentile(0.5):0.00} | {result.Percentile(0.99):0.00} | {result.MeanLatency:0.00} | {result.MegabytesPerSecond:0.0} | {(result.Requests > 0 ? result.Bytes / result.Requests : 0):N0} | {readPaths.DescribeShares()} | {readPaths.DescribeMeanWait()} |"));
            }

            Console.WriteLine();
            var direct = results[^1].Result;
            foreach (var (_, target, result, _) in results.TakeLast(3).Take(2))
            {
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"- {target.Name} / direct: throughput {Ratio(result.RequestsPerSecond, direct.RequestsPerSecond)}, p50 {Ratio(result.Percentile(0.5), direct.Percentile(0.5))}, p99 {Ratio(result.Percentile(0.99), direct.Percentile(0.99))}, MB/s {Ratio(result.MegabytesPerSecond, direct.MegabytesPerSecond)}"));
            }

            var consistent = results[^3].Result;
            var anyRecent = results[^2].Result;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"- consistent read's added latency (RV unset - RV=0, via sidecar): p50 {consistent.Percentile(0.5) - anyRecent.Percentile(0.5):+0.00;-0.00} ms, p99 {consistent.Percentile(0.99) - anyRecent.Percentile(0.99):+0.00;-0.00} ms"));
            if (scenario.MeasureMemory)
            {
                Console.WriteLine($"- sidecar memory before these runs: {memoryBefore}; after: working set {SidecarRun.Mib(sidecar.WorkingSetBytes)} MiB, peak {SidecarRun.Mib(sidecar.PeakWorkingSetBytes)} MiB (dev server peak {SidecarRun.Mib(devServer.PeakWorkingSetBytes)} MiB)");
            }

            Console.WriteLine();
        }

        PrintSummary(results);
        Console.WriteLine();
        Console.WriteLine($"load average at end: {SidecarRun.LoadAverage()}; total {started.Elapsed.TotalMinutes:0.0} min after the sidecar started");
        return 0;
    }

    /// <summary>The scenarios, cheapest first; the full LIST last, so the memory it costs is measured on its own.</summary>
    private static List<ListScenario> Scenarios(ListBenchmarkOptions options, ClusterLayout layout, PodSample sample) =>
    [
        new("GET one pod", [.. sample.Pods.Select(p => $"/api/v1/namespaces/{p.Namespace}/pods/{p.Name}")], options.Connections, CountItems: false),
        new("LIST pods by node (fieldSelector=spec.nodeName=node-X, every node in turn)",
            [.. layout.Nodes.Select(n => "/api/v1/pods?fieldSelector=spec.nodeName%3D" + n)], options.Connections, CountItems: true),
        new("LIST pods by ReplicaSet label (labelSelector=pod-template-hash=H, sampled values in turn)",
            [.. sample.Hashes.Select(h => "/api/v1/pods?labelSelector=pod-template-hash%3D" + h)], options.Connections, CountItems: true),
        new("LIST pods by app label (labelSelector=app=A, the 8 seeded apps in turn)",
            [.. AppProfile.All.Select(p => "/api/v1/pods?labelSelector=app%3D" + p.App)], options.Connections, CountItems: true),
        new("Full LIST of all pods (/api/v1/pods)", ["/api/v1/pods"], options.FullListConnections, CountItems: false, MeasureMemory: true),
    ];

    /// <summary>The first pods of every namespace (a page from the dev server): names for GETs and their ReplicaSets' pod-template-hash values.</summary>
    private static async Task<PodSample> SampleAsync(HttpClient direct, IReadOnlyList<string> namespaces)
    {
        var pods = new List<(string Namespace, string Name)>();
        var hashes = new List<string>();
        foreach (var ns in namespaces)
        {
            var body = await direct.GetByteArrayAsync(new Uri($"/api/v1/namespaces/{ns}/pods?limit={SamplePerNamespace}", UriKind.Relative));
            using var list = JsonDocument.Parse(body);
            foreach (var item in list.RootElement.GetProperty("items").EnumerateArray())
            {
                var metadata = item.GetProperty("metadata");
                pods.Add((ns, metadata.GetProperty("name").GetString()!));
                var hash = metadata.GetProperty("labels").GetProperty("pod-template-hash").GetString()!;
                if (!hashes.Contains(hash, StringComparer.Ordinal))
                {
                    hashes.Add(hash);
                }
            }
        }

        return pods.Count > 0 ? new PodSample(pods, hashes) : throw new InvalidOperationException("The dev server listed no pods.");
    }

    /// <summary>p50 and max of <see cref="ProbeRepeats"/> requests sent one after the other, ms.</summary>
    private static async Task<string> SequentialTimesAsync(HttpClient client, string path)
    {
        var times = new double[ProbeRepeats];
        for (var i = 0; i < times.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            response.EnsureSuccessStatusCode();
            _ = await response.Content.ReadAsByteArrayAsync();
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(times);
        return string.Create(CultureInfo.InvariantCulture, $"p50 {times[times.Length / 2]:0.00} ms, max {times[^1]:0.00} ms");
    }

    /// <summary>The number of items of one LIST answer.</summary>
    private static async Task<int> CountItemsAsync(HttpClient client, string path)
    {
        var body = await client.GetByteArrayAsync(new Uri(path, UriKind.Relative));
        using var list = JsonDocument.Parse(body);
        return list.RootElement.GetProperty("items").GetArrayLength();
    }

    /// <summary>One line per scenario: the three targets' throughput and latency side by side, with the ratios.</summary>
    private static void PrintSummary(List<(ListScenario Scenario, ReadTarget Target, LoadResult Result, ReadPathSnapshot Paths)> results)
    {
        Console.WriteLine("## Summary (req/s; p50 / p99 ms; ratios sidecar / direct)");
        Console.WriteLine();
        Console.WriteLine("| scenario | sidecar RV unset | sidecar RV=0 | direct | throughput RV unset / direct | throughput RV=0 / direct | p50 RV unset / direct | p50 RV=0 / direct |");
        Console.WriteLine("|---|---|---|---|---:|---:|---:|---:|");
        foreach (var group in results.GroupBy(r => r.Scenario))
        {
            var rows = group.ToArray();
            var (consistent, anyRecent, direct) = (rows[0].Result, rows[1].Result, rows[2].Result);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {group.Key.Name} | {Cell(consistent)} | {Cell(anyRecent)} | {Cell(direct)} | {Ratio(consistent.RequestsPerSecond, direct.RequestsPerSecond)} | {Ratio(anyRecent.RequestsPerSecond, direct.RequestsPerSecond)} | {Ratio(consistent.Percentile(0.5), direct.Percentile(0.5))} | {Ratio(anyRecent.Percentile(0.5), direct.Percentile(0.5))} |"));
        }
    }

    private static string Cell(LoadResult result) => string.Create(
        CultureInfo.InvariantCulture, $"{result.RequestsPerSecond:0.0}; {result.Percentile(0.5):0.00} / {result.Percentile(0.99):0.00}");

    private static string Ratio(double value, double reference) =>
        reference > 0 && !double.IsNaN(value) ? (value / reference).ToString(value / reference >= 10 ? "0" : value / reference >= 0.1 ? "0.00" : "0.0000", CultureInfo.InvariantCulture) + "x" : "n/a";

    /// <summary>Pods (namespace, name) and pod-template-hash values read from the dev server.</summary>
    private sealed record PodSample(IReadOnlyList<(string Namespace, string Name)> Pods, IReadOnlyList<string> Hashes);
}
