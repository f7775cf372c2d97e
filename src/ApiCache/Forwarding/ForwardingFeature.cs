using System.Net.Http.Headers;
using ApiCache.Metrics;
using ApiCache.Requests;
using ApiCache.Upstream;

namespace ApiCache.Forwarding;

/// <summary>
/// Per-request state of a forwarded request, shared between the forwarder and its transformer: the
/// endpoint of the current attempt, whether that attempt may still be retried elsewhere, and what
/// the upstream answered (status, <c>Retry-After</c>).
/// </summary>
internal sealed class ForwardingFeature(
    KubernetesRequestInfo requestInfo,
    ApiCacheMetrics metrics,
    TimeProvider time)
{
    private long _started;

    /// <summary>The upstream the current attempt goes to.</summary>
    public UpstreamEndpoint Endpoint { get; private set; } = null!;

    /// <summary>What the request asks for.</summary>
    public KubernetesRequestInfo RequestInfo { get; } = requestInfo;

    /// <summary>The current attempt may be retried on another endpoint if the upstream refuses it with 429.</summary>
    public bool MayRetry { get; private set; }

    /// <summary>The upstream's status code for the current attempt; null until its response headers arrive.</summary>
    public int? UpstreamStatus { get; private set; }

    /// <summary>The upstream's <c>Retry-After</c>, when its answer had one.</summary>
    public TimeSpan? RetryAfter { get; private set; }

    /// <summary>The transformer dropped the upstream's 429 (nothing was sent to the client) so the request can be retried.</summary>
    public bool Refused { get; private set; }

    /// <summary>Starts an attempt on <paramref name="endpoint"/>.</summary>
    public void StartAttempt(UpstreamEndpoint endpoint, bool mayRetry)
    {
        Endpoint = endpoint;
        MayRetry = mayRetry;
        UpstreamStatus = null;
        RetryAfter = null;
        Refused = false;
        _started = time.GetTimestamp();
    }

    /// <summary>
    /// Called when the upstream's response headers arrive: records the upstream latency and what it
    /// answered; returns false when the response must not reach the client because the request is
    /// retried elsewhere (a 429 on an attempt that may be retried).
    /// </summary>
    public bool ResponseHeadersReceived(HttpResponseMessage response)
    {
        metrics.UpstreamResponded(RequestInfo, Endpoint.Name, time.GetElapsedTime(_started));
        UpstreamStatus = (int)response.StatusCode;
        RetryAfter = ReadRetryAfter(response.Headers.RetryAfter, time);
        Refused = MayRetry && UpstreamStatus == 429;
        return !Refused;
    }

    private static TimeSpan? ReadRetryAfter(RetryConditionHeaderValue? header, TimeProvider time) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is { Ticks: > 0 } wait ? wait : TimeSpan.Zero,
        _ => null,
    };
}
