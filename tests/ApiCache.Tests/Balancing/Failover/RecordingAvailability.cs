using System.Collections.Concurrent;
using ApiCache.Balancing;
using ApiCache.Upstream;

namespace ApiCache.Tests.Balancing.Failover;

/// <summary>An <see cref="IEndpointAvailability"/> the test controls: endpoints it marks down, and every failure reported.</summary>
internal sealed class RecordingAvailability : IEndpointAvailability
{
    private readonly ConcurrentDictionary<UpstreamEndpoint, bool> _down = new();

    /// <summary>Every failure reported: the endpoint's name and the status code (null: connection).</summary>
    public ConcurrentQueue<(string Endpoint, int? StatusCode)> Failures { get; } = new();

    public void SetDown(UpstreamEndpoint endpoint, bool down) => _down[endpoint] = down;

    public bool IsAvailable(UpstreamEndpoint endpoint) => !_down.GetValueOrDefault(endpoint);

    public void ReportFailure(UpstreamEndpoint endpoint, int? statusCode, TimeSpan? retryAfter) => Failures.Enqueue((endpoint.Name, statusCode));
}
