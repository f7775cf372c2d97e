using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using ApiCache.Caching;
using ApiCache.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiCache.Watch;

/// <summary>
/// The watch dispatchers of every cached resource (one each, started with the first watch of the
/// resource), the <c>apicache_watch_watchers{resource}</c> gauge, and graceful shutdown: when the host
/// stops, every watcher gets a last bookmark and a clean end of its stream, and new watches are refused.
/// </summary>
internal sealed class WatchHub : IAsyncDisposable
{
    private readonly FrozenDictionary<ResourceCache, WatchDispatcher> _dispatchers;
    private int _stopping;

    public WatchHub(CacheRegistry registry, IOptions<ApiCacheOptions> options, WatchMetrics metrics, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Options = options.Value.Watch;
        var logger = loggerFactory.CreateLogger<WatchDispatcher>();
        _dispatchers = registry.Resources.ToFrozenDictionary(
            r => r,
            r => new WatchDispatcher(r, Options, metrics, time, logger));
        metrics.Meter.CreateObservableGauge(
            "apicache_watch_watchers",
            () => _dispatchers.Values.Select(d => new Measurement<int>(d.WatcherCount, new KeyValuePair<string, object?>("resource", d.ResourceName))),
            description: "Watches being served from the cache, by resource.");
    }

    /// <summary>The watch options.</summary>
    public WatchOptions Options { get; }

    /// <summary>True once shutdown began: new watches are refused.</summary>
    public bool IsStopping => Volatile.Read(ref _stopping) != 0;

    /// <summary>The dispatcher of <paramref name="resource"/>, started.</summary>
    public WatchDispatcher For(ResourceCache resource)
    {
        var dispatcher = _dispatchers[resource];
        dispatcher.EnsureStarted();
        return dispatcher;
    }

    /// <summary>Graceful shutdown: every watcher gets a last bookmark and its stream ends; later watches are refused.</summary>
    public void Shutdown()
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 0)
        {
            foreach (var dispatcher in _dispatchers.Values)
            {
                dispatcher.CloseAll(WatchCloseReason.Shutdown);
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Shutdown();
        foreach (var dispatcher in _dispatchers.Values)
        {
            await dispatcher.DisposeAsync();
        }
    }
}
