using ApiCache.Upstream;

namespace ApiCache.Balancing;

/// <summary>The availability of a pool without health tracking: every endpoint may always take work, failures are not remembered.</summary>
internal sealed class AlwaysAvailable : IEndpointAvailability
{
    /// <summary>The shared instance.</summary>
    public static AlwaysAvailable Instance { get; } = new();

    /// <inheritdoc/>
    public bool IsAvailable(UpstreamEndpoint endpoint) => true;

    /// <inheritdoc/>
    public void ReportFailure(UpstreamEndpoint endpoint, int? statusCode, TimeSpan? retryAfter)
    {
    }
}
