using System.Diagnostics;
using System.Net;

namespace ApiCache.LoadTests;

/// <summary>What the benchmark modes share about a run: waiting for the sidecar's cache, and describing the machine and memory.</summary>
internal static class SidecarRun
{
    /// <summary>Polls a cheap LIST through the sidecar until it stops answering 429 (the cache has listed everything); how long that took.</summary>
    /// <remarks>/readyz fails until every cache is synced (cache-sync checks), so the LIST itself is polled.</remarks>
    public static async Task<TimeSpan> WaitForCacheAsync(HttpClient sidecar, string path, TimeSpan deadline)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < deadline)
        {
            using var response = await sidecar.GetAsync(new Uri(path, UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                return waited.Elapsed;
            }

            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                throw new InvalidOperationException($"{path} via the sidecar answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        throw new TimeoutException($"The sidecar's cache did not answer {path} within {deadline}.");
    }

    /// <summary>The dev server program's arguments for a run: loopback on any port, quiet, seeded with pods over nodes and no config maps.</summary>
    public static string[] SeededDevServerArgs(int nodes, int pods) =>
    [
        "--urls=http://127.0.0.1:0",
        "--Logging:LogLevel:Default=Warning",
        "--DevServer:Seed:Nodes=" + nodes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--DevServer:Seed:Pods=" + pods.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--DevServer:Seed:ConfigMaps=0",
    ];

    /// <summary>
    /// The sidecar's arguments for a run in front of <paramref name="devServer"/>: loopback on any port,
    /// quiet, only pods cached (spec.nodeName indexed by default; other reads are forwarded).
    /// </summary>
    public static string[] PodsCachingSidecarArgs(Uri devServer) =>
    [
        "--ApiCache:Upstream:Servers:0:Url=" + devServer.ToString().TrimEnd('/'),
        "--Sidecar:Listen=http://127.0.0.1:0",
        "--Logging:LogLevel:Default=Warning",
        "--ApiCache:Cache:Resources:0:Resource=pods",
        // Start-up only: the dev server walks the whole key range for every page, so 500-item pages take minutes at 200k pods.
        "--ApiCache:Cache:ListPageSize=10000",
        // The default of 400 reads in flight cannot be reached by these drivers; off, so no 429 can distort a run.
        "--ApiCache:Throttling:MaxReadsInFlight=0",
    ];

    /// <summary>Bytes in MiB, rounded down.</summary>
    public static long Mib(long bytes) => bytes / (1024 * 1024);

    /// <summary>The 1, 5 and 15 minute load averages (the machine is shared: every report says how busy it was).</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
