using System.Diagnostics.Metrics;
using ApiCache.Metrics;
using ApiCache.Upstream;

namespace ApiCache.Balancing;

/// <summary>
/// The pool's instruments: <c>apicache_upstream_healthy{endpoint}</c> (1 healthy, 0 not),
/// <c>apicache_upstream_retries_total{endpoint,reason}</c> (requests moved to another endpoint after
/// <c>endpoint</c> refused or failed them) and <c>apicache_upstream_balance_ratio</c> (most/fewest
/// requests per healthy endpoint over the last minute). Label values are bounded: configured
/// endpoints and the reasons of <see cref="RetryReason"/>.
/// </summary>
internal sealed class BalancingMetrics
{
    /// <summary>Why a request was retried on another endpoint (the <c>reason</c> label).</summary>
    public static class RetryReason
    {
        /// <summary>The endpoint answered 429 Too Many Requests.</summary>
        public const string TooManyRequests = "too_many_requests";

        /// <summary>No connection could be made, or it broke before any response.</summary>
        public const string ConnectionFailure = "connection_failure";
    }

    private readonly Counter<long> _retries;

    public BalancingMetrics(ApiCacheMetrics metrics, UpstreamPool pool)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(pool);
        var meter = metrics.Meter;
        _retries = meter.CreateCounter<long>(
            "apicache_upstream_retries",
            description: "Forwarded requests retried on another upstream endpoint, by the endpoint that refused or failed them and why (too_many_requests, connection_failure).");
        meter.CreateObservableGauge(
            "apicache_upstream_healthy",
            () => pool.States.Select(s => new Measurement<int>(pool.IsHealthy(s.Endpoint) ? 1 : 0, new KeyValuePair<string, object?>("endpoint", s.Endpoint.Name))),
            description: "1 when the upstream endpoint is healthy (passes /readyz checks and is not failing requests), else 0.");
        meter.CreateObservableGauge(
            "apicache_upstream_balance_ratio",
            pool.BalanceRatio,
            description: "Most requests sent to one healthy upstream endpoint over the last minute divided by the fewest (at least 1): 1 is perfectly even.");
    }

    /// <summary>Counts a request that <paramref name="from"/> refused or failed and that is retried elsewhere.</summary>
    public void Retried(UpstreamEndpoint from, string reason) =>
        _retries.Add(1, new KeyValuePair<string, object?>("endpoint", from.Name), new KeyValuePair<string, object?>("reason", reason));
}
