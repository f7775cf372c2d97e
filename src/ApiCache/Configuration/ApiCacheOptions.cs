namespace ApiCache.Configuration;

/// <summary>
/// Root options of the ApiCache library, bound from the <c>ApiCache</c> configuration section
/// (see the README's configuration reference). The library reads only these plain options: the
/// host maps its own configuration onto them.
/// </summary>
public sealed class ApiCacheOptions
{
    /// <summary>The name of the configuration section <see cref="ApiCacheOptions"/> is bound from.</summary>
    public const string SectionName = "ApiCache";

    /// <summary>Which kube-apiserver(s) requests are forwarded to, and with which credentials.</summary>
    public UpstreamOptions Upstream { get; set; } = new();

    /// <summary>How requests are forwarded to the upstream.</summary>
    public ForwardingOptions Forwarding { get; set; } = new();

    /// <summary>
    /// Serve ApiCache's own <c>/healthz</c>, <c>/livez</c> and <c>/readyz</c> (on by default; an
    /// embedding API server with probes of its own turns this off).
    /// </summary>
    public bool ServeHealthEndpoints { get; set; } = true;

    /// <summary>The informer cache: which resources are cached, history and memory limits.</summary>
    public CacheOptions Cache { get; set; } = new();

    /// <summary>The Prometheus metrics endpoint.</summary>
    public MetricsOptions Metrics { get; set; } = new();

    /// <summary>User-Agent throttling rules, in-flight limits and the admin endpoint that changes the rules at runtime.</summary>
    public ThrottlingOptions Throttling { get; set; } = new();

    /// <summary>Consistent reads: where the current revision comes from, how long reads wait, what they fall back to.</summary>
    public ConsistentReadOptions ConsistentReads { get; set; } = new();

    /// <summary>WATCH served from the cache: bookmarks, default timeouts, slow watchers.</summary>
    public WatchOptions Watch { get; set; } = new();

    /// <summary>Several upstream apiservers: health checks, choice of endpoint, retries, connection recycling.</summary>
    public BalancingOptions Balancing { get; set; } = new();

    /// <summary>Authentication, authorization and identity forwarding (<c>ApiCache:Security</c>).</summary>
    public SecurityOptions Security { get; set; } = new();
}
