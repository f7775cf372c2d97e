using System.Collections.Concurrent;
using System.Diagnostics;

namespace ApiCache.LoadTests;

/// <summary>
/// Closed-loop load: N connections each sending the next GET when the previous answer has been
/// read to its end (any size; bytes counted). Bounded by a duration and a request count: no new
/// request starts after either, and the ones in flight finish (within the client's timeout).
/// </summary>
internal static class LoadRunner
{
    /// <summary>How long one request may take before the run fails (a slow full LIST with many connections queued).</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(300);

    /// <summary>The forwarding-overhead run: <c>GET /api/v1/pods</c> over fresh connections.</summary>
    public static async Task<LoadResult> RunAsync(Uri address, int connections, TimeSpan duration, int maxRequests)
    {
        using var client = CreateClient(address, connections);
        return await RunAsync(client, ["/api/v1/pods"], connections, duration, maxRequests);
    }

    /// <summary>A client with at most <paramref name="connections"/> HTTP/1.1 connections to <paramref name="address"/>, no proxy, no compression.</summary>
    public static HttpClient CreateClient(Uri address, int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false, AutomaticDecompression = System.Net.DecompressionMethods.None })
        {
            BaseAddress = address,
            Timeout = RequestTimeout,
        };

    /// <summary>
    /// Runs <paramref name="connections"/> workers over <paramref name="client"/>; request i (counted
    /// across workers) asks for <c>targets[i % targets.Count]</c>, so a run rotates over the targets.
    /// </summary>
    public static async Task<LoadResult> RunAsync(HttpClient client, IReadOnlyList<string> targets, int connections, TimeSpan duration, int maxRequests)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(targets);
        var uris = targets.Select(t => new Uri(t, UriKind.Relative)).ToArray();
        var stop = Stopwatch.StartNew();
        var issued = 0;
        var failures = 0;
        var failureCodes = new ConcurrentDictionary<int, int>();
        long bytes = 0;
        var perWorker = new List<double>[connections];
        var workers = Enumerable.Range(0, connections).Select(i => Task.Run(async () =>
        {
            var latencies = perWorker[i] = new List<double>(capacity: 1 << 14);
            var buffer = new byte[64 * 1024];
            int n;
            while (stop.Elapsed < duration && (n = Interlocked.Increment(ref issued)) <= maxRequests)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(uris[(n - 1) % uris.Length], HttpCompletionOption.ResponseHeadersRead);
                await using var stream = await response.Content.ReadAsStreamAsync();
                int read;
                long received = 0;
                while ((read = await stream.ReadAsync(buffer)) > 0)
                {
                    received += read;
                }

                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                    failureCodes.AddOrUpdate((int)response.StatusCode, 1, (_, c) => c + 1);
                    continue;
                }

                latencies.Add(elapsed);
                Interlocked.Add(ref bytes, received);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = stop.Elapsed;
        var all = perWorker.SelectMany(l => l).ToArray();
        Array.Sort(all);
        var codes = string.Join(" ", failureCodes.OrderBy(c => c.Key).Select(c => $"{c.Key}x{c.Value}"));
        return new LoadResult(all, elapsed, bytes, failures, codes);
    }
}
