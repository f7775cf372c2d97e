using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using ApiCache.Requests;

namespace ApiCache.Metrics;

/// <summary>
/// ApiCache's instruments, on one <see cref="Meter"/> named <see cref="MeterName"/> created
/// through the host's <see cref="IMeterFactory"/>. Names follow the apiserver's metrics with an
/// <c>apicache_</c> prefix. Label values that come from request paths are bounded: after
/// <see cref="MaxResourceLabels"/> distinct resources, further ones are reported as <c>other</c>.
/// </summary>
internal sealed class ApiCacheMetrics
{
    /// <summary>The meter's name; the Prometheus endpoint exports it.</summary>
    public const string MeterName = "ApiCache";

    /// <summary>Distinct (group, resource) label pairs kept before falling back to <c>other</c>.</summary>
    public const int MaxResourceLabels = 256;

    /// <summary>Latency buckets in seconds, as the apiserver's request latency histogram uses.</summary>
    private static readonly double[] LatencyBuckets =
        [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

    /// <summary>HTTP status codes as label strings, made once.</summary>
    private static readonly string[] CodeLabels = [.. Enumerable.Range(100, 500).Select(c => c.ToString(CultureInfo.InvariantCulture))];

    /// <summary>
    /// The verbs reported as themselves: the apiserver's request verbs and the HTTP methods of
    /// non-resource requests. Anything else a client invents is reported as <c>other</c>.
    /// </summary>
    private static readonly HashSet<string> KnownVerbs =
    [
        "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "proxy",
        "head", "post", "put", "options", "connect", "trace",
    ];

    private readonly ConcurrentDictionary<(string Group, string Resource), (string Group, string Resource)> _resources = new();
    private readonly Counter<long> _forwarded;
    private readonly Histogram<double> _upstreamLatency;
    private readonly UpDownCounter<long> _inflight;
    private readonly Counter<long> _forwardingErrors;

    public ApiCacheMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        _forwarded = Meter.CreateCounter<long>(
            "apicache_forwarded_requests",
            description: "Requests forwarded to the upstream apiservers, by endpoint, verb, API group, resource and HTTP code (each attempt: a request retried on another endpoint counts once per endpoint).");
        _upstreamLatency = Meter.CreateHistogram(
            "apicache_upstream_request_duration_seconds",
            unit: "s",
            description: "Time from sending a forwarded request until the upstream's response headers arrived, by endpoint.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _inflight = Meter.CreateUpDownCounter<long>(
            "apicache_forwarded_requests_inflight",
            description: "Forwarded requests in flight, by endpoint and verb (watches and other long-running requests included).");
        _forwardingErrors = Meter.CreateCounter<long>(
            "apicache_forwarding_errors",
            description: "Forwarded requests that failed inside the proxy, by YARP error kind.");
    }

    /// <summary>The meter all instruments live on.</summary>
    public Meter Meter { get; }

    /// <summary>Counts a finished forwarded request (one attempt) to the endpoint named <paramref name="endpoint"/>.</summary>
    public void RequestForwarded(KubernetesRequestInfo info, int statusCode, string endpoint)
    {
        if (!_forwarded.Enabled)
        {
            return;
        }

        var (group, resource) = ResourceLabels(info);
        _forwarded.Add(
            1,
            new TagList
            {
                { "endpoint", endpoint },
                { "verb", VerbLabel(info) },
                { "group", group },
                { "resource", resource },
                { "code", CodeLabel(statusCode) },
            });
    }

    /// <summary>Records how long the endpoint named <paramref name="endpoint"/> took to answer with headers.</summary>
    public void UpstreamResponded(KubernetesRequestInfo info, string endpoint, TimeSpan elapsed)
    {
        if (!_upstreamLatency.Enabled)
        {
            return;
        }

        var (group, resource) = ResourceLabels(info);
        _upstreamLatency.Record(
            elapsed.TotalSeconds,
            new TagList { { "endpoint", endpoint }, { "verb", VerbLabel(info) }, { "group", group }, { "resource", resource } });
    }

    /// <summary>Tracks a forwarded request in flight to the endpoint named <paramref name="endpoint"/>: +1 when it starts, -1 when it ends.</summary>
    public void Inflight(KubernetesRequestInfo info, string endpoint, int delta) =>
        _inflight.Add(delta, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("verb", VerbLabel(info)));

    /// <summary>Counts a proxy-side forwarding failure.</summary>
    public void ForwardingFailed(string error) => _forwardingErrors.Add(1, new KeyValuePair<string, object?>("error", error));

    /// <summary>The <c>verb</c> label of a request: its verb, or <c>other</c> for verbs a client invented (bounded label values).</summary>
    internal static string VerbLabel(KubernetesRequestInfo info) => KnownVerbs.Contains(info.Verb) ? info.Verb : "other";

    private static string CodeLabel(int statusCode) =>
        statusCode is >= 100 and < 600 ? CodeLabels[statusCode - 100] : statusCode.ToString(CultureInfo.InvariantCulture);

    private (string Group, string Resource) ResourceLabels(KubernetesRequestInfo info)
    {
        if (!info.IsResourceRequest)
        {
            return ("", "");
        }

        var key = (info.ApiGroup, info.Resource);
        if (_resources.TryGetValue(key, out var labels))
        {
            return labels;
        }

        if (_resources.Count >= MaxResourceLabels)
        {
            return ("other", "other");
        }

        return _resources.GetOrAdd(key, key);
    }
}
