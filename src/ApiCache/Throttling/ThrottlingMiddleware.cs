using Microsoft.AspNetCore.Http;

namespace ApiCache.Throttling;

/// <summary>
/// Runs <see cref="ThrottleGate"/> for requests routed to an endpoint marked with
/// <see cref="ThrottledEndpointMetadata"/>, before the endpoint does any work; passes everything
/// else straight on. Not async: the common path returns the next delegate's task.
/// </summary>
internal sealed class ThrottlingMiddleware(RequestDelegate next, ThrottleGate gate)
{
    /// <summary>Throttles or passes on <paramref name="context"/>'s request.</summary>
    public Task InvokeAsync(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<ThrottledEndpointMetadata>() is null
            ? next(context)
            : gate.RunAsync(context, next);
}
