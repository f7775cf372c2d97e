namespace ApiCache.Configuration;

/// <summary>
/// Protection of the upstream control plane: User-Agent throttling rules (changeable at runtime by
/// reloading the configuration file or through the admin endpoint) and global in-flight limits like
/// the apiserver's <c>--max-requests-inflight</c>. Bound from <c>ApiCache:Throttling</c>.
/// </summary>
public sealed class ThrottlingOptions
{
    /// <summary>Evaluate throttling rules and in-flight limits at all. Off: every request goes on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The throttling rules in evaluation order: the first rule that matches a request decides.
    /// Requests that no rule matches are only subject to the in-flight limits.
    /// </summary>
#pragma warning disable CA2227 // Options classes are bound from configuration, which needs a setter.
    public IList<ThrottleRuleOptions> Rules { get; set; } = [];
#pragma warning restore CA2227

    /// <summary>
    /// The most read requests (get, list and non-resource GETs) in flight at once; past it requests
    /// are answered 429. Long-running requests (watch, logs, exec, ...) are not counted. The
    /// apiserver's default is 400; 0 turns the limit off.
    /// </summary>
    public int MaxReadsInFlight { get; set; } = 400;

    /// <summary>
    /// The most mutating requests (create, update, patch, delete, deletecollection) in flight at
    /// once. The apiserver's default is 200; 0 turns the limit off.
    /// </summary>
    public int MaxMutationsInFlight { get; set; } = 200;

    /// <summary>
    /// The <c>Retry-After</c> (and <c>details.retryAfterSeconds</c>) of a rejection, in seconds; a
    /// token bucket whose next token is further away says when it comes instead.
    /// </summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>
    /// How many User-Agent products get their own <c>user_agent</c> label value in the throttling
    /// metrics: the heaviest ones of the last minute; all others are reported as <c>other</c>.
    /// </summary>
    public int TopUserAgents { get; set; } = 20;

    /// <summary>The admin endpoint <c>/apicache/v1/throttles</c> (off by default).</summary>
    public ThrottlingAdminOptions Admin { get; set; } = new();

    /// <summary>Rules the configuration held but that could not be bound (see <c>ThrottleRuleBinder</c>); reported by validation.</summary>
    internal List<string> BindingErrors { get; } = [];
}
