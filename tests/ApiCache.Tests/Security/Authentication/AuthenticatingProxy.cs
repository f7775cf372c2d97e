using ApiCache.Configuration;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Security.Authentication;

/// <summary>
/// The ApiCache library hosted in-process in its default, authenticating mode, forwarding to a
/// <see cref="TokenReviewingUpstream"/> with the proxy's own token; the informer cache is off, so every
/// authenticated request is forwarded.
/// </summary>
internal static class AuthenticatingProxy
{
    /// <param name="upstream">Where requests and TokenReviews go.</param>
    /// <param name="configure">Changes to the options (after the defaults here).</param>
    /// <param name="services">Services registered before <c>AddApiCache</c> (a clock) and after it (an access reviewer): called twice, with false then true.</param>
    /// <param name="kestrel">Kestrel settings (HTTPS, client certificates).</param>
    /// <param name="https">Serve HTTPS.</param>
    /// <param name="map">How ApiCache is mapped (default: <c>app.MapApiCache()</c>).</param>
    public static Task<LoopbackServer> StartAsync(
        TokenReviewingUpstream upstream,
        Action<ApiCacheOptions>? configure = null,
        Action<IServiceCollection, bool>? services = null,
        Action<KestrelServerOptions>? kestrel = null,
        bool https = false,
        Action<WebApplication>? map = null) =>
        LoopbackServer.StartAsync(
            map ?? (app => app.MapApiCache()),
            collection =>
            {
                services?.Invoke(collection, false);
                collection.AddApiCache(options =>
                {
                    options.Cache.Enabled = false;
                    options.Upstream.Servers.Add(upstream.ServerOptions());
                    configure?.Invoke(options);
                });
                services?.Invoke(collection, true);
            },
            kestrel,
            https);
}
