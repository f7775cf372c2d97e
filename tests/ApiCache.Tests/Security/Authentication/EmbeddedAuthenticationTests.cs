using System.Net;
using ApiCache.Configuration;
using ApiCache.DevServer.Hosting;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Security.Authentication;

/// <summary>
/// ApiCache embedded in the dev API server (<c>EmbedCache</c>) in authenticating mode: it needs no
/// upstream credentials of its own, and authenticates every request before its cache (and the
/// host's own endpoints) answer, the health probes excepted.
/// </summary>
public sealed class EmbeddedAuthenticationTests
{
    [Theory]
    [InlineData(false, HttpStatusCode.Unauthorized)]
    [InlineData(true, HttpStatusCode.OK)]
    public async Task Embedded_NoCredentials_AreAnonymousOnlyWhenAllowed(bool anonymous, HttpStatusCode expected)
    {
        // Arrange
        await using var host = await LoopbackServer.StartAsync(
            app => app.MapDevServer(),
            services =>
            {
                services.AddDevServer(options => options.EmbedCache = true);
                services.Configure<ApiCacheOptions>(options =>
                {
                    options.Security.Mode = SecurityMode.Authenticate;
                    options.Security.Authentication.Anonymous = anonymous;
                });
            });
        using var client = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(60) };

        // Act: GETs of one object are answered by the cache or handed to the host, never refused while the cache is cold.
        using var discovery = await client.GetAsync(new Uri("/api", UriKind.Relative));
        using var namespaces = await client.GetAsync(new Uri("/api/v1/namespaces/default", UriKind.Relative));
        using var livez = await client.GetAsync(new Uri("/livez", UriKind.Relative));

        // Assert
        Assert.Equal(expected, discovery.StatusCode);
        Assert.Equal(expected, namespaces.StatusCode);
        Assert.Equal(HttpStatusCode.OK, livez.StatusCode);
    }
}
