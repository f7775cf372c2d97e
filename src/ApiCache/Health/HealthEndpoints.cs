using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ApiCache.Health;

/// <summary>
/// ApiCache's own <c>/healthz</c>, <c>/livez</c> and <c>/readyz</c>, in the apiserver's format:
/// <c>ok</c>, or with <c>?verbose</c> one <c>[+]check ok</c> line per check and a summary line;
/// <c>/readyz/{check}</c> runs a single check. Readiness fails once the host starts shutting down,
/// so load balancers stop sending new work before connections are drained.
/// </summary>
internal static class HealthEndpoints
{
    /// <summary>Maps the three probe paths.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var lifetime = endpoints.ServiceProvider.GetRequiredService<IHostApplicationLifetime>();
        HealthCheck[] live = [new("ping", static () => true)];
        HealthCheck[] ready = [.. live, new("shutdown", () => !lifetime.ApplicationStopping.IsCancellationRequested)];
        MapProbe(endpoints, "healthz", ready);
        MapProbe(endpoints, "livez", live);
        MapProbe(endpoints, "readyz", ready);
    }

    private static void MapProbe(IEndpointRouteBuilder endpoints, string name, HealthCheck[] checks)
    {
        endpoints.MapGet("/" + name, (HttpContext context) => Respond(context, name, checks));
        endpoints.MapGet("/" + name + "/{check}", (HttpContext context, string check) =>
        {
            var single = Array.FindAll(checks, c => c.Name == check);
            if (single.Length == 0)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return context.Response.WriteAsync("404 page not found\n");
            }

            return Respond(context, name, single);
        });
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
