namespace ApiCache.Configuration;

/// <summary>
/// Spreading work over several upstream apiservers (the <c>ApiCache:Balancing</c> section): active
/// <c>/readyz</c> checks and passive failure counting decide which endpoints are healthy, forwarded
/// requests go to the healthy endpoint with fewer requests in flight (power of two choices), a 429
/// cools an endpoint down, and connections are recycled so load keeps moving.
/// </summary>
public sealed class BalancingOptions
{
    /// <summary>How forwarded requests choose an endpoint.</summary>
    public BalancingStrategy Strategy { get; set; } = BalancingStrategy.LeastOutstanding;

    /// <summary>How often each endpoint's <c>/readyz</c> is checked; zero turns active checks off.</summary>
    public TimeSpan HealthCheckPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one <c>/readyz</c> check may take before it counts as failed.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Consecutive failed checks that make a healthy endpoint unhealthy.</summary>
    public int UnhealthyThreshold { get; set; } = 3;

    /// <summary>Consecutive successful checks that make an unhealthy endpoint healthy again.</summary>
    public int HealthyThreshold { get; set; } = 2;

    /// <summary>
    /// Failures seen on real traffic (connection failures, 5xx, 429) within
    /// <see cref="PassiveFailureWindow"/> that make an endpoint unhealthy without waiting for a check.
    /// </summary>
    public int PassiveFailureThreshold { get; set; } = 5;

    /// <summary>
    /// The window passive failures are counted in. With active checks off it is also how long an
    /// endpoint made unhealthy by passive failures stays out before it is tried again.
    /// </summary>
    public TimeSpan PassiveFailureWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an endpoint that answered 429 without <c>Retry-After</c> takes no new work.</summary>
    public TimeSpan DefaultCooldown { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest cool-down a 429's <c>Retry-After</c> can impose on an endpoint.</summary>
    public TimeSpan MaxCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a connection to an upstream takes new requests before it is replaced (requests on
    /// it, watches included, finish undisturbed); zero keeps connections for as long as they work.
    /// </summary>
    public TimeSpan ConnectionLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A random extra lifetime, between zero and this, drawn separately for each of the
    /// <see cref="ConnectionPoolsPerEndpoint"/> connection pools, so connections do not all expire together.
    /// </summary>
    public TimeSpan ConnectionLifetimeJitter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Independent connection pools per upstream endpoint, each with its own jittered lifetime;
    /// requests take them in turn. Each pool may open several HTTP/2 connections when one is full.
    /// </summary>
    public int ConnectionPoolsPerEndpoint { get; set; } = 2;

    /// <summary>
    /// The probability (0 to 1) that a client connection is ended gracefully after a response, as
    /// the apiserver's <c>--goaway-chance</c>: <c>Connection: close</c> on HTTP/1.1, GOAWAY on
    /// HTTP/2, never for watches and other long-running requests. Clients reconnect, possibly to
    /// another ApiCache replica behind the same service. Zero (the default) turns it off.
    /// </summary>
    public double GoAwayChance { get; set; }
}
