using ApiCache.Caching;
using ApiCache.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiCache.Consistency;

/// <summary>
/// Decides whether a read that needs a recent state may be answered from the cache: asks the
/// <see cref="IRevisionSource"/> where the resource is now, waits (bounded by
/// <see cref="ConsistentReadOptions.WaitTimeout"/>, woken by the cache, no polling) until the
/// cache has reached it, and otherwise reports <see cref="ConsistencyOutcome.Behind"/>; it also
/// caps how many of those fallbacks may be forwarded upstream at once.
/// </summary>
internal sealed partial class ConsistentReadCoordinator
{
    private readonly IRevisionSource _source;
    private readonly ConsistentReadOptions _options;
    private readonly ILogger _logger;
    private int _fallbacksInFlight;

    public ConsistentReadCoordinator(IRevisionSource source, IOptions<ApiCacheOptions> options, ILogger<ConsistentReadCoordinator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _source = source;
        _options = options.Value.ConsistentReads;
        _logger = logger;
    }

    /// <summary>The options in force.</summary>
    public ConsistentReadOptions Options => _options;

    /// <summary>Fallback reads being forwarded right now.</summary>
    public int FallbacksInFlight => Volatile.Read(ref _fallbacksInFlight);

    /// <summary>
    /// For a consistent read (resourceVersion unset): waits until <paramref name="resource"/>'s
    /// cache reflects the current revision. On success the cache's version is at least the current
    /// revision the source reported (an exact source lets it move there without an event).
    /// </summary>
    public async ValueTask<ConsistencyOutcome> WaitForCurrentAsync(ResourceCache resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var cache = resource.Cache;
        RevisionTarget target;
        try
        {
            target = await _source.GetTargetAsync(resource.Definition.Reference, cache.ResourceVersion, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogSourceFailed(_logger, resource.Definition.DisplayName, e.Message);
            return ConsistencyOutcome.Behind;
        }

        var outcome = await WaitForAsync(resource, target.WaitFor, cancellationToken).ConfigureAwait(false);
        if (outcome != ConsistencyOutcome.Behind)
        {
            cache.NoteFreshAt(target.Current);
        }

        return outcome;
    }

    /// <summary>For a read "not older than" <paramref name="resourceVersion"/>: waits (bounded) until the cache has reached it.</summary>
    public async ValueTask<ConsistencyOutcome> WaitForAsync(ResourceCache resource, long resourceVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (resource.Cache.ResourceVersion >= resourceVersion)
        {
            return ConsistencyOutcome.Fresh;
        }

        return await resource.Cache.WaitUntilFreshAsync(resourceVersion, _options.WaitTimeout, cancellationToken).ConfigureAwait(false)
            ? ConsistencyOutcome.AfterWait
            : ConsistencyOutcome.Behind;
    }

    /// <summary>
    /// Takes one of the <see cref="ConsistentReadOptions.MaxConcurrentFallbacks"/> slots for
    /// forwarding a fallback read; false when fallbacks are refused or all slots are taken (the
    /// read gets 429). Release with <see cref="EndFallback"/>.
    /// </summary>
    public bool TryBeginFallback()
    {
        if (_options.Fallback != ConsistentReadFallback.Forward)
        {
            return false;
        }

        if (Interlocked.Increment(ref _fallbacksInFlight) > _options.MaxConcurrentFallbacks)
        {
            Interlocked.Decrement(ref _fallbacksInFlight);
            return false;
        }

        return true;
    }

    /// <summary>Releases a slot taken by <see cref="TryBeginFallback"/>.</summary>
    public void EndFallback() => Interlocked.Decrement(ref _fallbacksInFlight);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revision source failed for {Resource}; the read falls back: {Error}")]
    private static partial void LogSourceFailed(ILogger logger, string resource, string error);
}
