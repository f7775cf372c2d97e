namespace ApiCache.Security;

/// <summary>
/// Marks an endpoint every caller may reach without credentials (the health probes
/// <c>/healthz</c>, <c>/livez</c>, <c>/readyz</c>): the caller authentication middleware passes
/// requests routed to it straight on.
/// </summary>
internal sealed class UnauthenticatedEndpointMetadata
{
    private UnauthenticatedEndpointMetadata()
    {
    }

    /// <summary>The one instance.</summary>
    public static UnauthenticatedEndpointMetadata Instance { get; } = new();
}
