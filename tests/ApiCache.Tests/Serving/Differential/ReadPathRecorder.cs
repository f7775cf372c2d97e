using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ApiCache.Tests.Serving.Differential;

/// <summary>
/// Listens to one proxy's <c>apicache_cache_reads</c> counter (its own <see cref="Meter"/> instance, so
/// proxies of other tests running meanwhile do not count) and records every read's
/// <c>resource/verb/path</c>: which answers came from the cache and which were forwarded.
/// </summary>
internal sealed class ReadPathRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<string> _recent = new();
    private readonly ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);

    public ReadPathRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "apicache_cache_reads")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? resource = null, verb = null, path = null;
            foreach (var (key, tag) in tags)
            {
                switch (key)
                {
                    case "resource": resource = tag as string; break;
                    case "verb": verb = tag as string; break;
                    case "path": path = tag as string; break;
                    default: break;
                }
            }

            var read = $"{resource}/{verb}/{path}";
            _recent.Enqueue(read);
            _totals.AddOrUpdate(read, value, (_, total) => total + value);
        });
        _listener.Start();
    }

    /// <summary>Reads counted since the last call (a request's own, when requests go one at a time).</summary>
    public string TakeRecent()
    {
        var reads = new List<string>();
        while (_recent.TryDequeue(out var read))
        {
            reads.Add(read);
        }

        return reads.Count == 0 ? "(not a cached read)" : string.Join(", ", reads);
    }

    /// <summary>All reads so far by <c>resource/verb/path</c>.</summary>
    public IReadOnlyDictionary<string, long> Totals => _totals;

    /// <summary>Reads of <paramref name="verb"/> answered from the cache (fresh or after a wait) for <paramref name="resource"/>.</summary>
    public long FromCache(string resource, string verb) =>
        _totals.Where(t => t.Key == $"{resource}/{verb}/cache_fresh" || t.Key == $"{resource}/{verb}/cache_after_wait").Sum(t => t.Value);

    public void Dispose() => _listener.Dispose();
}
