using System.Text;
using ApiCache.Caching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ApiCache.Health;

/// <summary>
/// ApiCache's own <c>/healthz</c>, <c>/livez</c> and <c>/readyz</c>, in the apiserver's format:
/// <c>ok</c>, or with <c>?verbose</c> one <c>[+]check ok</c> line per check and a summary line;
/// <c>/readyz/{check}</c> runs a single check (<c>/readyz/cache-sync/pods</c> included). Readiness
/// fails once the host starts shutting down, so load balancers stop sending new work before
/// connections are drained, and while any cached resource is not ready: one
/// <c>cache-sync/&lt;resource&gt;</c> check per cached resource (<c>cache-sync/deployments.apps</c>),
/// as the apiserver's <c>informer-sync</c>, failing until its first list is stored and again
/// whenever the cache is not serving it: during a re-list (after a 410 Gone or a broken watch) and
/// after its byte budget was exceeded, until the next list fits. Liveness and <c>/healthz</c> do not
/// look at the caches: a cold cache is not a reason to restart the process. The probes are open to
/// every caller (<see cref="Security.UnauthenticatedEndpointMetadata"/>).
/// </summary>
internal static class HealthEndpoints
{
    /// <summary>The prefix of the per-resource readiness checks.</summary>
    public const string CacheSyncPrefix = "cache-sync/";

    /// <summary>Maps the three probe paths.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var lifetime = endpoints.ServiceProvider.GetRequiredService<IHostApplicationLifetime>();
        HealthCheck[] live = [new("ping", static () => true)];
        HealthCheck[] healthy = [.. live, new("shutdown", () => !lifetime.ApplicationStopping.IsCancellationRequested)];

        // Hosts without ApiCache (the dev API server alone) have no caches to wait for.
        var caches = endpoints.ServiceProvider.GetService<CacheRegistry>()?.Resources ?? [];
        HealthCheck[] ready = [.. healthy, .. caches.Select(CacheSync)];
        MapProbe(endpoints, "healthz", healthy);
        MapProbe(endpoints, "livez", live);
        MapProbe(endpoints, "readyz", ready);
    }

    private static HealthCheck CacheSync(ResourceCache resource)
    {
        var cache = resource.Cache;
        return new(CacheSyncPrefix + resource.Definition.DisplayName, () => cache.IsReady);
    }

    private static void MapProbe(IEndpointRouteBuilder endpoints, string name, HealthCheck[] checks)
    {
        endpoints.MapGet("/" + name, (HttpContext context) => Respond(context, name, checks))
            .WithMetadata(Security.UnauthenticatedEndpointMetadata.Instance);

        // A catch-all, so check names with a slash (cache-sync/pods) are reachable too.
        endpoints.MapGet("/" + name + "/{**check}", (HttpContext context, string? check) =>
        {
            var single = Array.FindAll(checks, c => c.Name == check);
            if (single.Length == 0)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return context.Response.WriteAsync("404 page not found\n");
            }

            return Respond(context, name, single);
        }).WithMetadata(Security.UnauthenticatedEndpointMetadata.Instance);
    }

    private static Task Respond(HttpContext context, string name, HealthCheck[] checks)
    {
        var verbose = context.Request.Query.ContainsKey("verbose");
        var text = new StringBuilder();
        var failed = false;
        foreach (var check in checks)
        {
            var ok = check.Run();
            failed |= !ok;
            text.Append(ok ? "[+]" : "[-]").Append(check.Name).Append(ok ? " ok\n" : " failed: reason withheld\n");
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache, private";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        if (failed)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return context.Response.WriteAsync(text.Append(name).Append(" check failed\n").ToString());
        }

        return context.Response.WriteAsync(verbose ? text.Append(name).Append(" check passed\n").ToString() : "ok");
    }

    private sealed record HealthCheck(string Name, Func<bool> Run);
}
