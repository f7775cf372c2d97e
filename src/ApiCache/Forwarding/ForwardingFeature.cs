using ApiCache.Metrics;
using ApiCache.Requests;
using ApiCache.Upstream;

namespace ApiCache.Forwarding;

/// <summary>Per-request state of a forwarded request, shared between the forwarder and its transformer.</summary>
internal sealed class ForwardingFeature(
    UpstreamEndpoint endpoint,
    KubernetesRequestInfo requestInfo,
    ApiCacheMetrics metrics,
    TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();

    /// <summary>The upstream the request goes to.</summary>
    public UpstreamEndpoint Endpoint { get; } = endpoint;

    /// <summary>What the request asks for.</summary>
    public KubernetesRequestInfo RequestInfo { get; } = requestInfo;

    /// <summary>Called when the upstream's response headers arrive: records the upstream latency.</summary>
    public void ResponseHeadersReceived() => metrics.UpstreamResponded(RequestInfo, time.GetElapsedTime(_started));
}
