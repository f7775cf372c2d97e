using ApiCache.Balancing;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.Forwarding;
using ApiCache.Health;
using ApiCache.Metrics;
using ApiCache.Security;
using ApiCache.Serving;
using ApiCache.Throttling;
using ApiCache.Upstream;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps ApiCache's endpoints, as <c>MapReverseProxy()</c> does for YARP.</summary>
public static class ApiCacheEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps ApiCache: its health probes and metrics endpoint (when enabled; with
    /// <c>Security:Authorization:Metrics</c> only for callers allowed to get its path), the throttling admin
    /// endpoints (<c>/apicache/v1/throttles</c>, <c>/apicache/v1/top</c>), and a catch-all, ordered
    /// after every other endpoint, that forwards what the host does not answer itself to the upstream
    /// kube-apiserver. Requests to the catch-all are throttled before any other work: when
    /// <paramref name="endpoints"/> is also the application builder (a <c>WebApplication</c>), by a
    /// middleware added here, which runs after routing and before the endpoint (and before any
    /// middleware the host adds later); otherwise inside the forwarding endpoint itself. Reads of
    /// cached resources (LIST, GET) are answered from the cache by a middleware after the throttle;
    /// the rest reaches the catch-all. With <c>Balancing:GoAwayChance</c> above zero, a middleware
    /// before the throttle may end client connections gracefully after a response (never a watch's).
    /// Embedded in an API server (<c>AddApiCacheInProcessUpstream()</c>),
    /// no catch-all is mapped: what the cache does not answer goes to the host's own endpoints.
    /// With <c>ApiCache:Security:Mode</c> Authenticate (the default), every request is authenticated
    /// before all of that (the health probes excepted): on a <c>WebApplication</c> by a middleware
    /// added here before the others (it sees every request routed in the host, the host's own
    /// endpoints included), otherwise inside each endpoint ApiCache maps. Trusted mode logs a warning. Bad
    /// configuration throws <see cref="ApiCacheConfigurationException"/> (or an
    /// <see cref="OptionsValidationException"/>) here, so start-up fails with a clear message.
    /// </summary>
    /// <returns>The convention builder of the forwarding endpoint (embedded: of an empty group).</returns>
    public static IEndpointConventionBuilder MapApiCache(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        ApiCacheOptions options;
        try
        {
            options = services.GetRequiredService<IOptions<ApiCacheOptions>>().Value;
        }
        catch (InvalidOperationException e)
        {
            // The configuration binder's "Failed to convert configuration value at 'ApiCache:...' to type ...".
            throw new ApiCacheConfigurationException(e.Message, e);
        }

        // Resolve the upstream now: a wrong kubeconfig or URL fails start-up, not the first request.
        services.GetRequiredService<UpstreamEndpointSet>();
        var embedded = services.GetService<InProcessUpstream>() is not null;

        // Build the caches (their configuration was validated with the options) and their metrics.
        services.GetRequiredService<CacheMetrics>();

        if (options.ServeHealthEndpoints)
        {
            HealthEndpoints.Map(endpoints);
        }

        // Authentication first: everything mapped on `secured` (and, on a WebApplication, every request) passes it.
        var secured = MapAuthentication(endpoints, options.Security, embedded);

        if (options.Metrics.Enabled)
        {
            var exporter = services.GetRequiredService<PrometheusTextExporter>();
            var authorizer = options.Security.Authorization.Metrics ? services.GetRequiredService<ApiCache.Security.RequestAuthorizer>() : null;
            secured.MapGet(options.Metrics.Path, async (HttpContext context) =>
            {
                // Authorization:Metrics: the caller needs an allowed review of get on the path (none in trusted mode).
                if (authorizer is not null && await authorizer.AuthorizeEndpointAsync(context) == ApiCache.Security.EndpointAccess.Refused)
                {
                    return;
                }

                context.Response.ContentType = PrometheusTextExporter.ContentType;
                context.Response.Headers.CacheControl = "no-cache, private";
                exporter.Write(context.Response.BodyWriter);
                await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
            });
        }

        // Throttling: the rules in force (validated with the options), their admin endpoints, file reloads.
        var gate = services.GetRequiredService<ThrottleGate>();
        services.GetRequiredService<ThrottleAdminApi>().Map(secured);
        services.GetRequiredService<ThrottleConfigurationReloader>();

        // Reads of cached resources: answered by a middleware after routing, whichever endpoint matched
        // (the forwarding catch-all, or the embedding host's own API endpoints).
        var cachedReads = services.GetRequiredService<CachedReadMiddleware>();
        services.GetRequiredService<CacheReadMetrics>();
        if (embedded)
        {
            if (endpoints is not IApplicationBuilder host)
            {
                throw new ApiCacheConfigurationException("An embedded ApiCache (AddApiCacheInProcessUpstream) must be mapped on the application builder (a WebApplication), so that it can hand requests to the host's own endpoints.");
            }

            host.UseMiddleware<CachedReadMiddleware>();
            return endpoints.MapGroup("");
        }

        var forwarder = services.GetRequiredService<UpstreamForwarder>();
        RequestDelegate forward = forwarder.ForwardAsync;
        var goAway = services.GetRequiredService<ClientGoAway>();
        if (endpoints is IApplicationBuilder app)
        {
            if (goAway.Enabled)
            {
                app.UseMiddleware<ClientGoAway>();
            }

            app.UseMiddleware<ThrottlingMiddleware>();
            app.UseMiddleware<CachedReadMiddleware>();
        }
        else
        {
            forward = context => gate.RunAsync(context, c => cachedReads.InvokeAsync(c, forwarder.ForwardAsync));
            if (goAway.Enabled)
            {
                var inner = forward;
                forward = context => goAway.InvokeAsync(context, inner);
            }
        }

        var forwarding = secured.Map("/{**path}", forward)
            .WithDisplayName("ApiCache forwarding")
            .WithMetadata(ThrottledEndpointMetadata.Instance);
        forwarding.Add(static builder => ((RouteEndpointBuilder)builder).Order = int.MaxValue);
        return forwarding;
    }

    /// <summary>
    /// Puts caller authentication in front of ApiCache (Authenticate mode): on an application
    /// builder, a middleware that runs before every other ApiCache middleware; otherwise a route
    /// group whose endpoints' delegates are wrapped. Returns where ApiCache's authenticated endpoints
    /// are to be mapped. In trusted mode, warns and returns <paramref name="endpoints"/>.
    /// </summary>
    private static IEndpointRouteBuilder MapAuthentication(IEndpointRouteBuilder endpoints, SecurityOptions security, bool embedded)
    {
        var services = endpoints.ServiceProvider;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(SecurityLog.Category);
        var upstreams = services.GetRequiredService<UpstreamEndpointSet>().Endpoints;
        if (security.Mode != SecurityMode.Authenticate)
        {
            SecurityLog.Trusted(logger, embedded
                ? "are answered by the host itself"
                : upstreams.Any(e => e.HasOwnCredentials)
                    ? "are sent with ApiCache's own upstream credentials, whoever the caller is"
                    : "carry whatever credentials the caller sent");
            return endpoints;
        }

        // Resolving it reads the client CA file now: a broken one fails start-up.
        var authentication = services.GetRequiredService<CallerAuthenticationMiddleware>();
        var certificates = services.GetRequiredService<ClientCertificateAuthenticator>();
        SecurityLog.Authenticating(
            logger,
            certificates.Enabled ? "verified against " + security.Authentication.ClientCaFile : "not accepted (no ClientCaFile)",
            security.Authentication.TokenReview ? "TokenReview against the upstream" : "ignored",
            security.Authentication.Anonymous ? "system:anonymous" : "401",
            embedded ? "the host's own (embedded: nothing is forwarded)" : security.Forwarding.Mode == IdentityForwardingMode.FrontProxy ? "X-Remote-* headers over the front-proxy certificate" : "Impersonate-* headers");
        if (endpoints is IApplicationBuilder app)
        {
            app.UseMiddleware<CallerAuthenticationMiddleware>();
            return endpoints;
        }

        var group = endpoints.MapGroup("");
        ((IEndpointConventionBuilder)group).Add(builder =>
        {
            if (builder.RequestDelegate is { } inner)
            {
                builder.RequestDelegate = context => authentication.InvokeAsync(context, inner);
            }
        });
        return group;
    }
}
