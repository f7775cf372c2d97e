using System.Diagnostics.Metrics;
using ApiCache.Metrics;

namespace ApiCache.Security;

/// <summary>
/// <c>apicache_authorization_decisions_total{decision,cached}</c>: every access review ApiCache
/// needed, by outcome (<c>allowed</c>, <c>denied</c>, <c>unavailable</c>) and whether the decision
/// came from the decision cache (<c>true</c>) or from a review by the upstream, made for this
/// request or shared with identical ones in flight (<c>false</c>). Six series at most.
/// </summary>
internal sealed class AuthorizationMetrics
{
    private static readonly KeyValuePair<string, object?> CachedTrue = new("cached", "true");
    private static readonly KeyValuePair<string, object?> CachedFalse = new("cached", "false");

    private readonly Counter<long> _decisions;

    public AuthorizationMetrics(ApiCacheMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _decisions = metrics.Meter.CreateCounter<long>(
            "apicache_authorization_decisions",
            description: "Access reviews (SubjectAccessReviews) needed to authorize requests, by decision (allowed, denied, unavailable: the upstream gave none) and whether the decision cache answered (cached).");
    }

    /// <summary>Counts one decision.</summary>
    public void Decided(AccessDecision decision, bool cached)
    {
        ArgumentNullException.ThrowIfNull(decision);
        _decisions.Add(1, new KeyValuePair<string, object?>("decision", decision.Allowed ? "allowed" : "denied"), cached ? CachedTrue : CachedFalse);
    }

    /// <summary>Counts one review the upstream could not give.</summary>
    public void Unavailable() => _decisions.Add(1, new KeyValuePair<string, object?>("decision", "unavailable"), CachedFalse);
}
