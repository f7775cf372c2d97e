using ApiCache.Configuration;
using ApiCache.Upstream;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ApiCache.Balancing;

/// <summary>
/// The upstream apiservers as one pool, shared by forwarding and the informers: which endpoints are
/// healthy (active <c>/readyz</c> checks reported by <see cref="UpstreamHealthProber"/>, passive
/// failures reported by whoever saw them), which are cooling down after a 429, and which one a
/// forwarded request goes to: power of two choices by requests in flight over the available ones
/// (ties go to the least recently used, so counts stay even).
/// When none is available the choice falls back to every endpoint (a request that may fail beats
/// refusing all work). With a single in-process endpoint (embedded) the pool is a pass-through:
/// always available, never checked.
/// </summary>
internal sealed partial class UpstreamPool : IEndpointAvailability
{
    private readonly EndpointHealth[] _states;
    private readonly Dictionary<UpstreamEndpoint, EndpointHealth> _byEndpoint;
    private readonly BalancingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly Lock _randomGate = new();
    private int _next = -1;
    private long _sequence;

    /// <summary>The construction path of dependency injection.</summary>
    public UpstreamPool(UpstreamEndpointSet endpoints, IOptions<ApiCacheOptions> options, TimeProvider time, ILogger<UpstreamPool> logger)
        : this(endpoints?.Endpoints ?? throw new ArgumentNullException(nameof(endpoints)), options?.Value.Balancing ?? throw new ArgumentNullException(nameof(options)), time, logger)
    {
    }

    /// <summary>A pool over <paramref name="endpoints"/>; <paramref name="random"/> is for tests that need a fixed sequence.</summary>
    public UpstreamPool(IReadOnlyList<UpstreamEndpoint> endpoints, BalancingOptions options, TimeProvider time, ILogger? logger = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (endpoints.Count == 0)
        {
            throw new ArgumentException("At least one upstream endpoint is required.", nameof(endpoints));
        }

        _states = [.. endpoints.Select(e => new EndpointHealth(e))];
        _byEndpoint = new Dictionary<UpstreamEndpoint, EndpointHealth>(ReferenceEqualityComparer.Instance);
        foreach (var state in _states)
        {
            _byEndpoint[state.Endpoint] = state;
        }

        _options = options;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _random = random ?? Random.Shared;
        IsPassThrough = endpoints.Count == 1 && endpoints[0].Name == UpstreamEndpointSet.InProcessName;
    }

    /// <summary>The single in-process endpoint of an embedding host: nothing to choose, check or cool down.</summary>
    public bool IsPassThrough { get; }

    /// <summary>Whether <see cref="UpstreamHealthProber"/> should check the endpoints' <c>/readyz</c>.</summary>
    public bool ActiveChecksEnabled => !IsPassThrough && _options.HealthCheckPeriod > TimeSpan.Zero;

    /// <summary>Whether a failed or refused idempotent request may be retried on another endpoint.</summary>
    public bool RetriesEnabled => !IsPassThrough && _states.Length > 1 && _options.Strategy == BalancingStrategy.LeastOutstanding;

    /// <summary>The balancing settings.</summary>
    public BalancingOptions Options => _options;

    /// <summary>Every endpoint's state, in configuration order.</summary>
    public IReadOnlyList<EndpointHealth> States => _states;

    private long Now => _time.GetTimestamp();

    /// <summary>
    /// The endpoint for the next forwarded request, never <paramref name="exclude"/> when another
    /// exists: power of two choices by requests in flight over the available endpoints (or
    /// round-robin over all with <see cref="BalancingStrategy.RoundRobin"/>).
    /// </summary>
    public UpstreamEndpoint Choose(UpstreamEndpoint? exclude = null)
    {
        if (_states.Length == 1)
        {
            return _states[0].Endpoint;
        }

        if (_options.Strategy == BalancingStrategy.RoundRobin)
        {
            var index = (uint)Interlocked.Increment(ref _next) % (uint)_states.Length;
            var chosen = _states[index].Endpoint;
            return ReferenceEquals(chosen, exclude) ? _states[(index + 1) % (uint)_states.Length].Endpoint : chosen;
        }

        var now = Now;
        Span<int> candidates = stackalloc int[_states.Length];
        var count = Candidates(candidates, exclude, now, availableOnly: true);
        if (count == 0)
        {
            // Nothing available: every endpoint but the excluded one, then any.
            count = Candidates(candidates, exclude, now, availableOnly: false);
            if (count == 0)
            {
                return _states[0].Endpoint;
            }
        }

        return _states[PickOfTwo(candidates[..count])].Endpoint;
    }

    /// <summary>Whether an endpoint other than <paramref name="tried"/> is available now (a retry has somewhere to go).</summary>
    public bool HasAlternative(UpstreamEndpoint tried)
    {
        var now = Now;
        foreach (var state in _states)
        {
            if (!ReferenceEquals(state.Endpoint, tried) && state.IsAvailable(now))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A request to <paramref name="endpoint"/> starts: counts it in flight and in the last minute's requests.</summary>
    public void RequestStarted(UpstreamEndpoint endpoint)
    {
        if (_byEndpoint.TryGetValue(endpoint, out var state))
        {
            state.Start(Interlocked.Increment(ref _sequence));
            state.Requests.Add(Now / _time.TimestampFrequency);
        }
    }

    /// <summary>A request to <paramref name="endpoint"/> ended (its response was copied or it failed).</summary>
    public void RequestEnded(UpstreamEndpoint endpoint)
    {
        if (_byEndpoint.TryGetValue(endpoint, out var state))
        {
            state.End();
        }
    }

    /// <inheritdoc/>
    public bool IsAvailable(UpstreamEndpoint endpoint) =>
        IsPassThrough || !_byEndpoint.TryGetValue(endpoint, out var state) || state.IsAvailable(Now);

    /// <summary>Whether <paramref name="endpoint"/> is healthy (cool-downs aside).</summary>
    public bool IsHealthy(UpstreamEndpoint endpoint) =>
        IsPassThrough || !_byEndpoint.TryGetValue(endpoint, out var state) || state.IsHealthy(Now);

    /// <inheritdoc/>
    public void ReportFailure(UpstreamEndpoint endpoint, int? statusCode, TimeSpan? retryAfter)
    {
        if (IsPassThrough || !_byEndpoint.TryGetValue(endpoint, out var state))
        {
            return;
        }

        var now = Now;
        if (statusCode == 429)
        {
            var cooldown = retryAfter is { } wait && wait > TimeSpan.Zero ? wait : _options.DefaultCooldown;
            if (cooldown > _options.MaxCooldown)
            {
                cooldown = _options.MaxCooldown;
            }

            state.CoolDown(now + ToTicks(cooldown));
        }

        var recoverAfter = ActiveChecksEnabled ? (long?)null : ToTicks(_options.PassiveFailureWindow);
        if (state.RecordFailure(now, ToTicks(_options.PassiveFailureWindow), _options.PassiveFailureThreshold, recoverAfter))
        {
            LogPassiveUnhealthy(_logger, endpoint.Name, _options.PassiveFailureThreshold, _options.PassiveFailureWindow, statusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "connection failure");
        }
    }

    /// <summary>Records the result of one active <c>/readyz</c> check of <paramref name="endpoint"/>.</summary>
    public void ReportCheck(UpstreamEndpoint endpoint, bool ok)
    {
        if (IsPassThrough || !_byEndpoint.TryGetValue(endpoint, out var state))
        {
            return;
        }

        switch (state.RecordCheck(ok, _options.HealthyThreshold, _options.UnhealthyThreshold))
        {
            case true:
                LogHealthy(_logger, endpoint.Name, _options.HealthyThreshold);
                break;
            case false:
                LogUnhealthy(_logger, endpoint.Name, _options.UnhealthyThreshold);
                break;
        }
    }

    /// <summary>
    /// The balance figure: the most requests any healthy endpoint got over the last minute divided
    /// by the fewest (the fewest counted as at least one); 1 with fewer than two healthy endpoints
    /// or no requests at all.
    /// </summary>
    public double BalanceRatio()
    {
        var now = Now;
        var second = now / _time.TimestampFrequency;
        long max = 0, min = long.MaxValue;
        var healthy = 0;
        foreach (var state in _states)
        {
            if (!state.IsHealthy(now))
            {
                continue;
            }

            healthy++;
            var count = state.Requests.Count(second);
            max = Math.Max(max, count);
            min = Math.Min(min, count);
        }

        return healthy < 2 || max == 0 ? 1 : (double)max / Math.Max(min, 1);
    }

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private int Candidates(Span<int> candidates, UpstreamEndpoint? exclude, long now, bool availableOnly)
    {
        var count = 0;
        for (var i = 0; i < _states.Length; i++)
        {
            if (!ReferenceEquals(_states[i].Endpoint, exclude) && (!availableOnly || _states[i].IsAvailable(now)))
            {
                candidates[count++] = i;
            }
        }

        return count;
    }

    /// <summary>
    /// Power of two choices: two distinct candidates at random, the one with fewer requests in
    /// flight; on a tie (common when requests are short) the one used least recently, which keeps
    /// counts even instead of leaving them to chance, without the catch-up burst a cumulative count
    /// would send to an endpoint that was away for a while.
    /// </summary>
    private int PickOfTwo(ReadOnlySpan<int> candidates)
    {
        if (candidates.Length == 1)
        {
            return candidates[0];
        }

        int first, second;
        lock (_randomGate)
        {
            first = _random.Next(candidates.Length);
            second = _random.Next(candidates.Length - 1);
        }

        if (second >= first)
        {
            second++;
        }

        var a = candidates[first];
        var b = candidates[second];
        var (outstandingA, outstandingB) = (_states[a].Outstanding, _states[b].Outstanding);
        if (outstandingA != outstandingB)
        {
            return outstandingB < outstandingA ? b : a;
        }

        return _states[b].LastStart < _states[a].LastStart ? b : a;
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Upstream {Upstream} is unhealthy: {Threshold} failed /readyz checks in a row; it gets no new requests until it recovers")]
    private static partial void LogUnhealthy(ILogger logger, string upstream, int threshold);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Upstream {Upstream} is healthy again after {Threshold} good /readyz checks")]
    private static partial void LogHealthy(ILogger logger, string upstream, int threshold);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Upstream {Upstream} is unhealthy: {Threshold} failed requests within {Window} (last: {Failure}); it gets no new requests until it recovers")]
    private static partial void LogPassiveUnhealthy(ILogger logger, string upstream, int threshold, TimeSpan window, string failure);
}
