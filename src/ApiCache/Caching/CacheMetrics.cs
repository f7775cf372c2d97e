using System.Diagnostics;
using System.Diagnostics.Metrics;
using ApiCache.Informers;
using ApiCache.Metrics;

namespace ApiCache.Caching;

/// <summary>
/// The informer cache's instruments, named like the apiserver's watch cache metrics
/// (<c>apiserver_watch_cache_*</c> → <c>apicache_cache_*</c>). All are observed at scrape time from
/// the caches' own counters, so the hot paths (applying events) record nothing per event.
/// </summary>
internal sealed class CacheMetrics
{
    private static readonly RelistReason[] Reasons = Enum.GetValues<RelistReason>();
    private static readonly UpstreamWatchEventType[] EventTypes = Enum.GetValues<UpstreamWatchEventType>();

    public CacheMetrics(ApiCacheMetrics metrics, CacheRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(registry);
        var meter = metrics.Meter;
        var resources = registry.Resources;
        var labels = resources.Select(r => new TagList { { "group", r.Definition.Group }, { "resource", r.Definition.Resource } }).ToArray();

        meter.CreateObservableGauge("apicache_cache_objects", () => Each(resources, labels, r => r.Cache.Count),
            description: "Objects held in the cache, by resource.");
        meter.CreateObservableGauge("apicache_cache_bytes", () => Each(resources, labels, r => r.Cache.Bytes), unit: "By",
            description: "Bytes the cached objects keep alive (JSON, extracted metadata, index entries), by resource; counted against the resource's budget.");
        meter.CreateObservableGauge("apicache_cache_history_events", () => Each(resources, labels, r => r.Cache.HistoryCount),
            description: "Events in the resource's event history (the window watches can resume from).");
        meter.CreateObservableGauge("apicache_cache_history_bytes", () => Each(resources, labels, r => r.Cache.HistoryBytes), unit: "By",
            description: "Bytes kept alive only by the event history (older object versions), an upper bound.");
        meter.CreateObservableGauge("apicache_cache_ready", () => Each(resources, labels, r => r.Cache.IsReady ? 1 : 0),
            description: "1 when the resource's cache is ready to serve (listed and not re-listing), else 0.");
        meter.CreateObservableGauge("apicache_cache_resource_version", () => Each(resources, labels, r => r.Cache.ResourceVersion),
            description: "The resource version the cache has reached (events and bookmarks).");
        meter.CreateObservableGauge("apicache_cache_progress_lag_seconds", () => Each(resources, labels, r => r.Cache.SinceLastProgress.TotalSeconds), unit: "s",
            description: "Seconds since the cache last heard from the upstream (an event, a bookmark or a list): how far behind it may be.");
        meter.CreateObservableCounter("apicache_cache_events_applied", () => Each(resources, labels, r => r.Cache.EventsApplied),
            description: "Changes applied to the cache (watch events and re-list differences), by resource.");
        meter.CreateObservableCounter("apicache_cache_watch_restarts", () => Each(resources, labels, r => r.Reflector.WatchRestarts),
            description: "Upstream watches resumed from the last resource version without a re-list, by resource.");
        meter.CreateObservableCounter("apicache_cache_upstream_switches", () => Each(resources, labels, r => r.Upstream.Switches),
            description: "Times the resource's informer moved to another upstream apiserver (failover, or back to its preferred one), by resource; never a re-list.");
        meter.CreateObservableCounter("apicache_cache_relists", () => ByReason(resources),
            description: "Lists of a resource from the upstream, by reason (Initial, Expired, DecodeError, ListFailed).");
        meter.CreateObservableCounter("apicache_cache_events_received", () => ByEventType(resources),
            description: "Watch events received from the upstream, by resource and type (BOOKMARK and ERROR included).");
    }

    private static IEnumerable<Measurement<T>> Each<T>(IReadOnlyList<ResourceCache> resources, TagList[] labels, Func<ResourceCache, T> read)
        where T : struct
    {
        for (var i = 0; i < resources.Count; i++)
        {
            yield return new Measurement<T>(read(resources[i]), labels[i]);
        }
    }

    private static IEnumerable<Measurement<long>> ByReason(IReadOnlyList<ResourceCache> resources)
    {
        foreach (var resource in resources)
        {
            foreach (var reason in Reasons)
            {
                yield return new Measurement<long>(
                    resource.Reflector.GetRelistCount(reason),
                    new TagList { { "group", resource.Definition.Group }, { "resource", resource.Definition.Resource }, { "reason", reason.ToString() } });
            }
        }
    }

    private static IEnumerable<Measurement<long>> ByEventType(IReadOnlyList<ResourceCache> resources)
    {
        foreach (var resource in resources)
        {
            foreach (var type in EventTypes)
            {
                yield return new Measurement<long>(
                    resource.Reflector.GetEventCount(type),
                    new TagList { { "group", resource.Definition.Group }, { "resource", resource.Definition.Resource }, { "type", type.ToString().ToUpperInvariant() } });
            }
        }
    }
}
