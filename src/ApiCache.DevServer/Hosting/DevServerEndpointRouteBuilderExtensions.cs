using ApiCache.DevServer.Api;
using ApiCache.DevServer.Configuration;
using ApiCache.DevServer.Discovery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiCache.DevServer.Hosting;

/// <summary>Maps the dev API server's endpoints.</summary>
public static class DevServerEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the Kubernetes API (<c>/api/...</c>, <c>/apis/...</c>), discovery and health endpoints;
    /// with <see cref="DevServerOptions.EmbedCache"/>, then ApiCache (<c>MapApiCache()</c>), whose
    /// middleware answers the cached resources' reads before the API endpoints run.
    /// </summary>
    public static IEndpointRouteBuilder MapDevServer(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.ServiceProvider.GetRequiredService<ResourceApi>();
        RequestDelegate handle = api.HandleAsync;
        endpoints.Map("/api/{**path}", handle);
        endpoints.Map("/apis/{**path}", handle);
        Health.HealthEndpoints.Map(endpoints);
        endpoints.MapDiscovery(endpoints.ServiceProvider.GetRequiredService<Resources.ResourceCatalog>());
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<DevServerOptions>>().Value.EmbedCache)
        {
            endpoints.MapApiCache();
        }

        return endpoints;
    }
}
