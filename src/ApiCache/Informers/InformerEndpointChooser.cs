using ApiCache.Balancing;
using ApiCache.Upstream;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ApiCache.Informers;

/// <summary>
/// Chooses the apiserver for one informer's list and watch requests. Informers are spread over the
/// endpoints (resource <c>i</c> prefers endpoint <c>i mod N</c>); the preferred endpoint comes first
/// whenever the pool says it is available, the others follow in ring order, and endpoints the pool
/// holds unavailable are skipped (tried only when none is available). It remembers the endpoint whose
/// answers the cache last took (<see cref="Current"/>): that one has reached the cache's resource
/// version, any other must be shown to have reached it before a watch resumes there (see
/// <see cref="NeedsCatchUpCheck"/>). Failures are reported to the pool; a move to another endpoint
/// is counted and logged once. Safe for one reflector's sequential use; the counters from any thread.
/// </summary>
internal sealed partial class InformerEndpointChooser
{
    private readonly UpstreamEndpoint[] _ring;
    private readonly IEndpointAvailability _availability;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<UpstreamEndpoint, string> _problems = [];
    private UpstreamEndpoint? _current;
    private bool _currentSuspect;
    private long _switches;

    /// <summary>Creates the chooser of one informer.</summary>
    /// <param name="endpoints">The configured apiservers, in configuration order.</param>
    /// <param name="availability">The pool's view of each endpoint's health.</param>
    /// <param name="preferredIndex">The informer's position among the cached resources; it prefers endpoint <c>preferredIndex mod N</c>.</param>
    /// <param name="resource">The resource's name for logs.</param>
    /// <param name="logger">Where switches are logged; null for none.</param>
    public InformerEndpointChooser(
        IReadOnlyList<UpstreamEndpoint> endpoints,
        IEndpointAvailability availability,
        int preferredIndex,
        string resource,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(availability);
        ArgumentOutOfRangeException.ThrowIfNegative(preferredIndex);
        ArgumentException.ThrowIfNullOrEmpty(resource);
        if (endpoints.Count == 0)
        {
            throw new ArgumentException("At least one upstream endpoint is required.", nameof(endpoints));
        }

        var first = preferredIndex % endpoints.Count;
        _ring = [.. Enumerable.Range(0, endpoints.Count).Select(i => endpoints[(first + i) % endpoints.Count])];
        _availability = availability;
        Resource = resource;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The resource whose informer this chooser serves.</summary>
    public string Resource { get; }

    /// <summary>The endpoint this informer prefers (<c>index mod N</c>).</summary>
    public UpstreamEndpoint Preferred => _ring[0];

    /// <summary>The endpoint whose answers the cache last took, or null before the first answer.</summary>
    public UpstreamEndpoint? Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>How many times the informer moved to another endpoint.</summary>
    public long Switches => Interlocked.Read(ref _switches);

    /// <summary>
    /// The endpoints to try for the next request, in order: the available ones from the preferred
    /// one round the ring, or every endpoint in that order when the pool holds none available.
    /// </summary>
    public IReadOnlyList<UpstreamEndpoint> Candidates()
    {
        if (_ring.Length == 1)
        {
            return _ring;
        }

        var available = _ring.Where(_availability.IsAvailable).ToArray();
        return available.Length > 0 ? available : _ring;
    }

    /// <summary>
    /// True when a request that needs the endpoint to have reached <paramref name="requiredResourceVersion"/>
    /// must first check it did: it is not the endpoint the cache's data came from (or that one said it is behind).
    /// A single endpoint is never checked (there is nowhere else to go; it answers for itself).
    /// </summary>
    public bool NeedsCatchUpCheck(UpstreamEndpoint endpoint, long requiredResourceVersion)
    {
        if (requiredResourceVersion <= 0 || _ring.Length == 1)
        {
            return false;
        }

        lock (_gate)
        {
            return !ReferenceEquals(endpoint, _current) || _currentSuspect;
        }
    }

    /// <summary>The endpoint answered a request successfully: it becomes <see cref="Current"/>; a change is a switch.</summary>
    public void Succeeded(UpstreamEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        UpstreamEndpoint? from;
        string why;
        lock (_gate)
        {
            from = _current;
            _currentSuspect = false;
            if (from is null || ReferenceEquals(from, endpoint))
            {
                _current = endpoint;
                _problems.Clear();
                return;
            }

            why = _problems.TryGetValue(from, out var problem)
                ? problem
                : ReferenceEquals(endpoint, Preferred) ? "the preferred apiserver is available again" : $"{from.Name} is not available in the pool";
            _current = endpoint;
            _problems.Clear();
        }

        Interlocked.Increment(ref _switches);
        LogSwitched(_logger, Resource, from.Name, endpoint.Name, why);
    }

    /// <summary>
    /// A request to <paramref name="endpoint"/> failed (connection failure: <paramref name="statusCode"/>
    /// null; or an HTTP status such as 5xx or 429): the pool hears of it and the next request tries another endpoint first.
    /// </summary>
    public void ReportFailure(UpstreamEndpoint endpoint, int? statusCode, TimeSpan? retryAfter, string why)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Note(endpoint, why);
        _availability.ReportFailure(endpoint, statusCode, retryAfter);
    }

    /// <summary>
    /// <paramref name="endpoint"/> has not reached the resource version the informer needs (it said
    /// "Too large resource version"): not a failure of its health, but it is not used to resume until
    /// a check shows it caught up.
    /// </summary>
    public void ReportBehind(UpstreamEndpoint endpoint, string why)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Note(endpoint, why);
        lock (_gate)
        {
            if (ReferenceEquals(endpoint, _current))
            {
                _currentSuspect = true;
            }
        }
    }

    private void Note(UpstreamEndpoint endpoint, string why)
    {
        lock (_gate)
        {
            _problems[endpoint] = why;
        }
    }

    [LoggerMessage(EventId = 420, Level = LogLevel.Information, Message = "Informer for {Resource} switched upstream from {From} to {To}: {Why}")]
    private static partial void LogSwitched(ILogger logger, string resource, string from, string to, string why);
}
