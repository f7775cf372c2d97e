using System.Collections.Concurrent;
using ApiCache.Configuration;
using Microsoft.Extensions.Caching.Memory;

namespace ApiCache.Security;

/// <summary>
/// The <see cref="IAccessReviewer"/> the rest of ApiCache uses: the upstream's decisions kept
/// briefly, as the apiserver's webhook authorizer keeps them: an allowed decision for
/// <see cref="CallerAuthorizationOptions.AllowTtl"/>, a denied one for
/// <see cref="CallerAuthorizationOptions.DenyTtl"/> (a zero TTL keeps none), at most
/// <see cref="CallerAuthorizationOptions.CacheSize"/> of them, keyed by
/// <see cref="AccessReviewAttributes.CacheKey"/> and expired by the host's <see cref="TimeProvider"/>.
/// Identical reviews asked while one is in flight wait for that one instead of asking again. A
/// review the upstream could not give is not kept: the next request asks again.
/// </summary>
internal sealed class CachingAccessReviewer : IAccessReviewer, IDisposable
{
    private readonly IAccessReviewer _inner;
    private readonly CallerAuthorizationOptions _options;
    private readonly AuthorizationMetrics _metrics;
    private readonly MemoryCache _decisions;
    private readonly ConcurrentDictionary<string, Lazy<Task<AccessDecision>>> _inFlight = new(StringComparer.Ordinal);

    public CachingAccessReviewer(IAccessReviewer inner, CallerAuthorizationOptions options, TimeProvider time, AuthorizationMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(metrics);
        _inner = inner;
        _options = options;
        _metrics = metrics;
        _decisions = new MemoryCache(new MemoryCacheOptions
        {
            Clock = new TimeProviderClock(time),
            SizeLimit = Math.Max(1, options.CacheSize),
        });
    }

    /// <summary>How many decisions are kept now (for tests and diagnostics).</summary>
    public int Count => _decisions.Count;

    /// <inheritdoc/>
    public async ValueTask<AccessDecision> ReviewAsync(AccessReviewAttributes attributes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var key = attributes.CacheKey();
        if (_decisions.TryGetValue(key, out AccessDecision? cached) && cached is not null)
        {
            _metrics.Decided(cached, cached: true);
            return cached;
        }

        // One upstream review per key at a time; it runs to its own timeout whoever stops waiting.
        Lazy<Task<AccessDecision>>? mine = null;
        mine = new Lazy<Task<AccessDecision>>(() => ReviewUpstreamAsync(key, attributes, mine!));
        var review = _inFlight.GetOrAdd(key, mine);
        AccessDecision decision;
        try
        {
            decision = await review.Value.WaitAsync(cancellationToken);
        }
        catch (AccessReviewUnavailableException)
        {
            _metrics.Unavailable();
            throw;
        }

        _metrics.Decided(decision, cached: false);
        return decision;
    }

    /// <inheritdoc/>
    public void Dispose() => _decisions.Dispose();

    private async Task<AccessDecision> ReviewUpstreamAsync(string key, AccessReviewAttributes attributes, Lazy<Task<AccessDecision>> self)
    {
        try
        {
            var decision = await _inner.ReviewAsync(attributes, CancellationToken.None);
            var ttl = decision.Allowed ? _options.AllowTtl : _options.DenyTtl;
            if (ttl > TimeSpan.Zero)
            {
                using var entry = _decisions.CreateEntry(key);
                entry.Value = decision;
                entry.Size = 1;
                entry.AbsoluteExpirationRelativeToNow = ttl;
            }

            return decision;
        }
        finally
        {
            // After the decision is kept (or not), so later callers find it there instead of asking again.
            _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<AccessDecision>>>(key, self));
        }
    }
}
