using System.Diagnostics;

namespace ApiCache.LoadTests;

/// <summary>Closed-loop load: N connections each sending the next GET when the previous answer is read.</summary>
internal static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(Uri address, int connections, TimeSpan duration, int maxRequests)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false };
        using var client = new HttpClient(handler) { BaseAddress = address };
        var target = new Uri("/api/v1/pods", UriKind.Relative);
        var stop = Stopwatch.StartNew();
        var issued = 0;
        long bytes = 0;
        var perWorker = new List<double>[connections];
        var workers = Enumerable.Range(0, connections).Select(i => Task.Run(async () =>
        {
            var latencies = perWorker[i] = new List<double>(capacity: 1 << 16);
            var buffer = new byte[64 * 1024];
            while (stop.Elapsed < duration && Interlocked.Increment(ref issued) <= maxRequests)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(target, HttpCompletionOption.ResponseHeadersRead);
                response.EnsureSuccessStatusCode();
                await using var stream = await response.Content.ReadAsStreamAsync();
                int read;
                long received = 0;
                while ((read = await stream.ReadAsync(buffer)) > 0)
                {
                    received += read;
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Add(ref bytes, received);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = stop.Elapsed;
        var all = perWorker.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new LoadResult(all, elapsed, bytes);
    }
}
