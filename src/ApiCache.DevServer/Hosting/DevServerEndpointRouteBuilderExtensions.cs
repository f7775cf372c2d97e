using ApiCache.DevServer.Api;
using ApiCache.DevServer.Configuration;
using ApiCache.DevServer.Discovery;
using ApiCache.DevServer.Security;
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
    /// middleware answers the cached resources' reads before the API endpoints run. With a policy
    /// file (<see cref="DevServerOptions.Security"/>) a middleware added first authenticates and
    /// authorizes every request, before the endpoints and the embedded cache; that needs
    /// <paramref name="endpoints"/> to be the application builder (a <c>WebApplication</c>). A
    /// broken policy or CA file throws here, so start-up fails with a clear message.
    /// </summary>
    public static IEndpointRouteBuilder MapDevServer(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var security = endpoints.ServiceProvider.GetRequiredService<DevServerSecurity>();
        if (security.Enabled)
        {
            if (endpoints is not IApplicationBuilder app)
            {
                throw new InvalidOperationException("DevServer:Security:PolicyFile needs MapDevServer() on the application builder (a WebApplication), so that every request is checked first.");
            }

            app.UseMiddleware<DevServerSecurityMiddleware>();
        }

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
