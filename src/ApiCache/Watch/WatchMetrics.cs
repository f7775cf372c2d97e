using System.Diagnostics.Metrics;
using ApiCache.Metrics;

namespace ApiCache.Watch;

/// <summary>
/// Instruments of watches served from the cache: <c>apicache_watch_events_sent_total{resource,type}</c>
/// (frames written to watchers, by event type), <c>apicache_watch_closed_total{resource,reason}</c>
/// (watches ended, by <see cref="WatchCloseReason"/>); the <c>apicache_watch_watchers</c> gauge is
/// registered by <see cref="WatchHub"/>. Label values are bounded: configured resources, five types,
/// six reasons.
/// </summary>
internal sealed class WatchMetrics
{
    /// <summary>The <c>type</c> label values, indexed like <see cref="Storage.WatchEventType"/> then BOOKMARK and ERROR.</summary>
    public static readonly string[] TypeLabels = ["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"];

    /// <summary>Index of BOOKMARK in <see cref="TypeLabels"/>.</summary>
    public const int Bookmark = 3;

    /// <summary>Index of ERROR in <see cref="TypeLabels"/>.</summary>
    public const int Error = 4;

    private static readonly string[] ReasonLabels = ["timeout", "client", "slow", "shutdown", "overtaken", "expired"];

    private readonly Counter<long> _sent;
    private readonly Counter<long> _closed;

    public WatchMetrics(ApiCacheMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        Meter = metrics.Meter;
        _sent = Meter.CreateCounter<long>(
            "apicache_watch_events_sent",
            description: "Watch events written to clients by watches served from the cache, by type (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR).");
        _closed = Meter.CreateCounter<long>(
            "apicache_watch_closed",
            description: "Watches served from the cache that ended, by reason: timeout, client (went away), slow (could not keep up within the budget), shutdown, overtaken (history reset under it), expired (410: its resourceVersion was too old).");
    }

    /// <summary>The meter the instruments live on.</summary>
    public Meter Meter { get; }

    /// <summary>Counts <paramref name="count"/> frames of type <paramref name="typeIndex"/> (see <see cref="TypeLabels"/>).</summary>
    public void Sent(string resource, int typeIndex, long count)
    {
        if (count > 0)
        {
            _sent.Add(count, new KeyValuePair<string, object?>("resource", resource), new KeyValuePair<string, object?>("type", TypeLabels[typeIndex]));
        }
    }

    /// <summary>Counts one watch that ended.</summary>
    public void Closed(string resource, WatchCloseReason reason) =>
        _closed.Add(1, new KeyValuePair<string, object?>("resource", resource), new KeyValuePair<string, object?>("reason", ReasonLabels[(int)reason]));
}
