using System.Security.Cryptography.X509Certificates;
using ApiCache.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Infrastructure;

/// <summary>
/// The ApiCache library hosted in-process, exactly as an embedding host does it, on a loopback port,
/// as a forwarding proxy: the informer cache is off unless a test turns it on, so scripted upstreams
/// see only the requests the test sends, and callers are trusted (not authenticated) unless a test
/// sets <c>Security.Mode</c> back.
/// </summary>
internal static class ProxyHost
{
    public static Task<LoopbackServer> StartAsync(Uri upstream, Action<ApiCacheOptions>? configure = null) =>
        StartAsync(options =>
        {
            options.Upstream.Servers.Add(new UpstreamServerOptions { Url = upstream.ToString() });
            configure?.Invoke(options);
        });

    public static Task<LoopbackServer> StartAsync(Action<ApiCacheOptions> configure) =>
        LoopbackServer.StartAsync(
            app => app.MapApiCache(),
            services => services.AddApiCache(options => configure(ForwardingOnly(options))));

    /// <summary>
    /// Turns the informer cache off (for tests of forwarding alone) and caller authentication off
    /// (trusted mode: the scripted upstreams have no credentials for the proxy); returns <paramref name="options"/>.
    /// </summary>
    public static ApiCacheOptions ForwardingOnly(ApiCacheOptions options)
    {
        options.Cache.Enabled = false;
        options.Security.Mode = SecurityMode.Trusted;
        return options;
    }

    /// <summary>The proxy serving HTTPS (HTTP/2 and HTTP/1.1 by ALPN) with <paramref name="certificate"/>.</summary>
    public static Task<LoopbackServer> StartTlsAsync(Uri upstream, X509Certificate2 certificate) =>
        LoopbackServer.StartAsync(
            app => app.MapApiCache(),
            services => services.AddApiCache(options => ForwardingOnly(options).Upstream.Servers.Add(new UpstreamServerOptions { Url = upstream.ToString() })),
            configureKestrel: kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate),
            https: true);
}
