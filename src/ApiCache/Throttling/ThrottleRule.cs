using System.Collections.Frozen;
using System.Globalization;
using System.Threading.RateLimiting;
using ApiCache.Configuration;
using ApiCache.Requests;

namespace ApiCache.Throttling;

/// <summary>
/// A compiled throttling rule: its conditions, ready to match requests, and its limiters. Immutable
/// apart from the limiters' own state; a rule whose definition did not change is carried over into
/// the next rule set, so its buckets and in-flight counts survive unrelated edits.
/// </summary>
internal sealed class ThrottleRule : IDisposable
{
    private readonly UserAgentMatcher _userAgent;
    private readonly FrozenSet<string>? _verbs;
    private readonly FrozenSet<string>? _namespaces;
    private readonly ResourceMatch[]? _resources;
    private readonly ThrottlePartitions? _partitions;
    private readonly string _limitText;

    /// <summary>Compiles <paramref name="definition"/>, which <see cref="ThrottleRuleValidator"/> accepted; the rule keeps a copy.</summary>
    public ThrottleRule(ThrottleRuleOptions definition, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(time);
        Definition = ThrottleJson.Clone(definition);
        Fingerprint = ThrottleJson.Fingerprint(Definition);
        Name = Definition.Name!;
        _userAgent = new UserAgentMatcher(Definition.UserAgent!);
        _verbs = Definition.Verbs is { Count: > 0 } verbs ? verbs.Select(v => v.ToLowerInvariant()).ToFrozenSet(StringComparer.Ordinal) : null;
        _namespaces = Definition.Namespaces is { Count: > 0 } namespaces ? namespaces.ToFrozenSet(StringComparer.Ordinal) : null;
        _resources = Definition.Resources is { Count: > 0 } resources ? [.. resources.Select(ResourceMatch.Parse)] : null;

        var limiter = Definition.Limiter!;
        LimiterType = limiter.Type!.Value;
        var perUserAgent = Definition.PartitionBy == ThrottlePartitionBy.UserAgent;
        switch (LimiterType)
        {
            case ThrottleLimiterType.TokenBucket:
                var rate = limiter.Rate!.Value;
                var burst = limiter.Burst ?? Math.Max(1, (int)Math.Ceiling(rate));
                _partitions = new ThrottlePartitions(() => new TokenBucketLimiter(rate, burst, time), perUserAgent, time);
                _limitText = string.Create(CultureInfo.InvariantCulture, $"token bucket: {rate:0.###} per second, burst {burst}");
                break;
            case ThrottleLimiterType.Concurrency:
                var max = limiter.MaxInFlight!.Value;
                _partitions = new ThrottlePartitions(
                    () => new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = max, QueueLimit = 0 }),
                    perUserAgent,
                    time);
                _limitText = string.Create(CultureInfo.InvariantCulture, $"concurrency: at most {max} in flight");
                break;
            default:
                _limitText = "rejects every request it matches";
                break;
        }

        if (_partitions is not null)
        {
            _limitText += perUserAgent ? ", per User-Agent" : ", shared by the rule";
        }
    }

    /// <summary>The rule's unique name.</summary>
    public string Name { get; }

    /// <summary>The rule as defined (a private copy; never changed).</summary>
    public ThrottleRuleOptions Definition { get; }

    /// <summary>The canonical JSON of <see cref="Definition"/>.</summary>
    public string Fingerprint { get; }

    /// <summary>The kind of limiter.</summary>
    public ThrottleLimiterType LimiterType { get; }

    /// <summary>How many User-Agent strings have a limiter of their own.</summary>
    public int PartitionCount => _partitions?.Count ?? 0;

    /// <summary>Whether the request (its User-Agent <paramref name="product"/> and what it asks for) falls under this rule.</summary>
    public bool Matches(string product, KubernetesRequestInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (_verbs is not null && !_verbs.Contains(info.Verb))
        {
            return false;
        }

        if (_namespaces is not null && !_namespaces.Contains(info.Namespace))
        {
            return false;
        }

        if (_resources is not null && !MatchesAnyResource(_resources, info))
        {
            return false;
        }

        return _userAgent.IsMatch(product);
    }

    /// <summary>A plain loop: a lambda capturing <paramref name="info"/> would allocate a closure on every call (measured in ThrottlingBenchmarks).</summary>
    private static bool MatchesAnyResource(ResourceMatch[] resources, KubernetesRequestInfo info)
    {
        foreach (var resource in resources)
        {
            if (resource.IsMatch(info))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Takes a permit for a request with User-Agent <paramref name="userAgent"/>, without waiting.
    /// The lease must be disposed when the request no longer counts (for concurrency limiters).
    /// </summary>
    public RateLimitLease Acquire(string userAgent)
    {
        if (_partitions is null)
        {
            return ThrottleLease.Refused;
        }

        try
        {
            return _partitions.For(userAgent).AttemptAcquire(1);
        }
        catch (ObjectDisposedException)
        {
            // The rule was replaced while this request was being matched; it no longer applies.
            return ThrottleLease.Granted;
        }
    }

    /// <summary>The 429 message for a request of <paramref name="product"/> this rule refused.</summary>
    public string RejectionMessage(string product) =>
        $"Too many requests, please try again later: throttled by ApiCache rule \"{Name}\" ({_limitText}) for User-Agent \"{UserAgentProduct.Display(product)}\".";

    /// <summary>Disposes the limiters.</summary>
    public void Dispose() => _partitions?.Dispose();
}
