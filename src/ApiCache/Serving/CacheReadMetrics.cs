using System.Diagnostics.Metrics;
using ApiCache.Consistency;
using ApiCache.Metrics;

namespace ApiCache.Serving;

/// <summary>
/// Instruments of reads for cached resources: <c>apicache_cache_reads_total{resource,verb,path}</c>
/// counts every LIST/GET/WATCH for a cached resource by how it was answered (<see cref="ReadPath"/>),
/// <c>apicache_cache_read_wait_seconds{resource,path}</c> how long consistent reads waited for the
/// cache (revision lookup included), and <c>apicache_cache_fallbacks_in_flight</c> the fallback
/// reads being forwarded. Label values are bounded: configured resources, three verbs, six paths.
/// </summary>
internal sealed class CacheReadMetrics
{
    private static readonly string[] PathLabels = ["cache_fresh", "cache_after_wait", "fallback_upstream", "rejected_429", "rejected_cold", "forwarded"];

    private readonly Counter<long> _reads;
    private readonly Histogram<double> _wait;

    public CacheReadMetrics(ApiCacheMetrics metrics, ConsistentReadCoordinator coordinator)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(coordinator);
        var meter = metrics.Meter;
        _reads = meter.CreateCounter<long>(
            "apicache_cache_reads",
            description: "Reads (get, list, watch) of cached resources by how they were answered: cache_fresh, cache_after_wait (after waiting for the current revision), fallback_upstream (the cache stayed behind), rejected_429 (behind, and fallbacks refused or at their limit), rejected_cold (initial list not done), forwarded (not answerable from the cache exactly).");
        _wait = meter.CreateHistogram<double>(
            "apicache_cache_read_wait_seconds",
            unit: "s",
            description: "Time consistent reads spent learning the current revision and waiting for the cache to reach it, by outcome path.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        meter.CreateObservableGauge(
            "apicache_cache_fallbacks_in_flight",
            () => coordinator.FallbacksInFlight,
            description: "Consistent reads being forwarded upstream because the cache stayed behind (capped by ConsistentReads:MaxConcurrentFallbacks).");
    }

    /// <summary>The label value of a path.</summary>
    public static string Label(ReadPath path) => PathLabels[(int)path];

    /// <summary>Counts one read.</summary>
    public void Read(string resource, string verb, ReadPath path) =>
        _reads.Add(1, new KeyValuePair<string, object?>("resource", resource), new KeyValuePair<string, object?>("verb", verb), new KeyValuePair<string, object?>("path", Label(path)));

    /// <summary>Records how long a consistent read waited.</summary>
    public void Waited(string resource, ReadPath path, TimeSpan elapsed) =>
        _wait.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("resource", resource), new KeyValuePair<string, object?>("path", Label(path)));
}
