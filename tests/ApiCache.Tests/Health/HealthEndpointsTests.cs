using System.Net;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Tests.Health;

/// <summary>The proxy answers its own probes, in the apiserver's format, without asking the upstream.</summary>
public sealed class HealthEndpointsTests : IAsyncLifetime
{
    private LoopbackServer _upstream = null!;
    private LoopbackServer _proxy = null!;
    private int _upstreamRequests;

    public async Task InitializeAsync()
    {
        _upstream = await LoopbackServer.StartAsync(app => app.Run(context =>
        {
            Interlocked.Increment(ref _upstreamRequests);
            return context.Response.WriteAsync("upstream");
        }));
        _proxy = await ProxyHost.StartAsync(_upstream.Address);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/livez")]
    [InlineData("/readyz")]
    public async Task Probe_Plain_AnswersOkWithoutReachingUpstream(string path)
    {
        using var client = new HttpClient { BaseAddress = _proxy.Address };

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(0, Volatile.Read(ref _upstreamRequests));
    }

    [Fact]
    public async Task Readyz_Verbose_ListsEachCheckAndSummary()
    {
        using var client = new HttpClient { BaseAddress = _proxy.Address };

        var body = await client.GetStringAsync(new Uri("/readyz?verbose", UriKind.Relative));

        Assert.Equal("[+]ping ok\n[+]shutdown ok\nreadyz check passed\n", body);
    }

    [Fact]
    public async Task Livez_SingleCheck_AnswersThatCheckOnly()
    {
        using var client = new HttpClient { BaseAddress = _proxy.Address };

        using var ok = await client.GetAsync(new Uri("/livez/ping", UriKind.Relative));
        using var missing = await client.GetAsync(new Uri("/livez/etcd", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("ok", await ok.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task OtherPaths_AreForwarded()
    {
        using var client = new HttpClient { BaseAddress = _proxy.Address };

        var body = await client.GetStringAsync(new Uri("/healthz-not-a-probe", UriKind.Relative));

        Assert.Equal("upstream", body);
        Assert.Equal(1, Volatile.Read(ref _upstreamRequests));
    }
}
