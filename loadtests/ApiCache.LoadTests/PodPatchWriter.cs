using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace ApiCache.LoadTests;

/// <summary>
/// The churn of the <c>watch</c> mode: JSON merge patches of pods at a fixed rate, patch i due at
/// <c>i / rate</c> seconds after the start, node after node (patch i goes to node <c>i mod nodes</c>,
/// to its pods in turn), each stamping <see cref="WatchStream.SentAnnotation"/> with the
/// <see cref="Stopwatch"/> time just before it is sent. Workers send late patches at once, so the
/// achieved rate shows when the server (or this machine) cannot keep up; no patch starts after the
/// duration, so a writer that fell behind writes fewer. Counts successful patches
/// per node: what each node's watchers must receive.
/// </summary>
internal sealed class PodPatchWriter(HttpClient client, IReadOnlyList<IReadOnlyList<(string Namespace, string Name)>> podsByNode, int rate)
{
    private readonly long[] _written = new long[podsByNode.Count];
    private readonly LatencyHistogram _latencies = new();
    private long _failures;

    /// <summary>Successful patches per node (index as in the constructor's list).</summary>
    public IReadOnlyList<long> WrittenPerNode => _written;

    /// <summary>Successful patches.</summary>
    public long Written => _written.Sum();

    /// <summary>Patches answered with an error or not answered.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Latency of the PATCH requests themselves.</summary>
    public LatencyHistogram Latencies => _latencies;

    /// <summary>Writes up to <c>rate x duration</c> patches (none starting after <paramref name="duration"/>) over <paramref name="workers"/> concurrent requests; returns the time it took.</summary>
    public async Task<TimeSpan> RunAsync(TimeSpan duration, int workers)
    {
        var nodes = Enumerable.Range(0, podsByNode.Count).Where(n => podsByNode[n].Count > 0).ToArray();
        var total = (long)(rate * duration.TotalSeconds);
        var ticket = -1L;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            long i;
            while ((i = Interlocked.Increment(ref ticket)) < total && clock.Elapsed < duration)
            {
                var wait = TimeSpan.FromSeconds((double)i / rate) - clock.Elapsed;
                if (wait > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(wait);
                }

                var node = nodes[i % nodes.Length];
                var pods = podsByNode[node];
                var (ns, name) = pods[(int)(i / nodes.Length % pods.Count)];
                var sentAt = Stopwatch.GetTimestamp();
                using var request = new HttpRequestMessage(HttpMethod.Patch, new Uri($"/api/v1/namespaces/{ns}/pods/{name}", UriKind.Relative))
                {
                    Content = new ByteArrayContent(Encoding.UTF8.GetBytes(
                        $"{{\"metadata\":{{\"annotations\":{{\"{WatchStream.SentAnnotation}\":\"{sentAt.ToString(CultureInfo.InvariantCulture)}\"}}}}}}")),
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
                try
                {
                    using var response = await client.SendAsync(request);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref _written[node]);
                        _latencies.Record(Stopwatch.GetTimestamp() - sentAt);
                    }
                    else
                    {
                        Interlocked.Increment(ref _failures);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref _failures);
                }
            }
        })));
        return clock.Elapsed;
    }
}
