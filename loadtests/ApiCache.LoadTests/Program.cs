using System.Diagnostics;
using System.Globalization;
using ApiCache.LoadTests;
using ApiCache.Tests.Infrastructure;

// Four modes, all bounded in time and count and on 127.0.0.1 only:
// - forwarding overhead (default): the same GET, straight to an upstream and through the real sidecar process.
//   dotnet run -c Release --project loadtests/ApiCache.LoadTests -- [seconds=10] [connections=16] [maxRequests=2000000]
// - list: LIST and GET of pods from the sidecar's cache against the seeded dev API server (ListBenchmark).
//   dotnet run -c Release --project loadtests/ApiCache.LoadTests -- list [--pods 10000] [--seconds 10] ...
// - watch: WATCH fan-out of pod churn to nodeName and unfiltered watchers, via the sidecar or direct (WatchBenchmark).
//   dotnet run -c Release --project loadtests/ApiCache.LoadTests -- watch [--nodes 10000] [--rate 1000] [--target sidecar|direct] ...
// - balance: three dev server front ends behind the pool, one restarted midway (BalanceBenchmark).
//   dotnet run -c Release --project loadtests/ApiCache.LoadTests -- balance [seconds=10] [clients=8] [LeastOutstanding|RoundRobin (default: both, in that order)]
if (args.Length > 0 && args[0] == "list")
{
    return await ListBenchmark.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "watch")
{
    return await WatchBenchmark.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "balance")
{
    return await BalanceBenchmark.RunAsync(args[1..]);
}

var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var connections = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
var maxRequests = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2_000_000;

// The recorded 12-pod list of a real kube-apiserver; the sidecar is the Release build (TestPaths follows this assembly's configuration).
var body = FixtureUpstream.FixtureBody("02-list-pods-all");
await using var upstream = await StaticUpstream.StartAsync(body);
await using var sidecar = await SidecarProcess.StartAsync(
    ["--ApiCache:Upstream:Servers:0:Url=" + upstream.Address, "--Sidecar:Listen=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);

Console.WriteLine($"payload: {body.Length} bytes (GET /api/v1/pods), {connections} connections, {seconds} s per run, at most {maxRequests} requests");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine();
Console.WriteLine("| target | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | MB/s |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");

var results = new List<LoadResult>();
foreach (var (name, address) in new[] { ("upstream direct", upstream.Address), ("via ApiCache sidecar", sidecar.Address) })
{
    await LoadRunner.RunAsync(address, connections, TimeSpan.FromSeconds(2), maxRequests); // warm-up
    var result = await LoadRunner.RunAsync(address, connections, TimeSpan.FromSeconds(seconds), maxRequests);
    results.Add(result);
    Console.WriteLine(result.ToMarkdownRow(name));
}

Console.WriteLine();
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"ratio (sidecar / direct): throughput {results[1].RequestsPerSecond / results[0].RequestsPerSecond:0.00}x, p50 latency {results[1].Percentile(0.5) / results[0].Percentile(0.5):0.00}x, p99 latency {results[1].Percentile(0.99) / results[0].Percentile(0.99):0.00}x"));
Console.WriteLine($"sidecar peak working set: {sidecar.PeakWorkingSetBytes / 1024.0 / 1024.0:0} MiB");
Debug.Assert(results.Count == 2);
if (results.Any(r => r.Failures > 0))
{
    Console.WriteLine("non-2xx answers: " + string.Join("; ", results.Select(r => r.FailureCodes)));
}

return 0;
