using ApiCache.Configuration;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Forwarding;

/// <summary>The proxy's own credentials reach the upstream, and a rotated token file is picked up.</summary>
public sealed class UpstreamCredentialsTests
{
    [Fact]
    public async Task Forward_TokenFileRotates_UpstreamSeesNewTokenAfterRefreshPeriod()
    {
        // Arrange: a service-account-style token file, a fake clock, and an upstream that reports the token.
        using var temp = new TempDirectory();
        var tokenFile = temp.Write("token", "first-token\n");
        var clock = new FakeClock(DateTimeOffset.UtcNow);
        await using var upstream = await LoopbackServer.StartAsync(app => app.Run(context =>
            context.Response.WriteAsync(context.Request.Headers.Authorization.ToString())));
        await using var proxy = await LoopbackServer.StartAsync(
            app => app.MapApiCache(),
            services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                services.AddApiCache(options => ProxyHost.ForwardingOnly(options).Upstream.Servers.Add(
                    new UpstreamServerOptions { Url = upstream.Address.ToString(), BearerTokenFile = tokenFile }));
            });
        using var client = new HttpClient { BaseAddress = proxy.Address };
        var target = new Uri("/api/v1/pods", UriKind.Relative);

        // Act
        var before = await client.GetStringAsync(target);
        File.WriteAllText(tokenFile, "rotated-token\n");
        var beforeRefresh = await client.GetStringAsync(target);
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var after = await client.GetStringAsync(target);

        // Assert
        Assert.Equal("Bearer first-token", before);
        Assert.Equal("Bearer first-token", beforeRefresh);
        Assert.Equal("Bearer rotated-token", after);
    }
}
