namespace ApiCache.Throttling;

/// <summary>
/// Marks the endpoints whose requests throttling applies to (ApiCache's forwarding endpoint).
/// Health probes, metrics and ApiCache's own <c>/apicache/v1/*</c> endpoints do not carry it, so
/// they answer even while every client is being throttled; neither do the host's own endpoints.
/// </summary>
internal sealed class ThrottledEndpointMetadata
{
    /// <summary>The one instance.</summary>
    public static readonly ThrottledEndpointMetadata Instance = new();

    private ThrottledEndpointMetadata()
    {
    }
}
