using System.Net.Http.Headers;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.Tests.Caching;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiCache.Tests.Security.Authorization;

/// <summary>
/// ApiCache in-process in front of a <see cref="AccessReviewingUpstream"/>, caching pods, with the test's
/// callers (<see cref="TestCallers"/>) set before it runs, in the Trusted security mode unless the
/// test says otherwise (the callers come from the test, not from ApiCache's authentication).
/// </summary>
internal sealed class AuthorizingProxy : IAsyncDisposable
{
    private readonly LoopbackServer _server;

    private AuthorizingProxy(LoopbackServer server)
    {
        _server = server;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
        Client.DefaultRequestHeaders.UserAgent.ParseAdd(AccessReviewingUpstream.TestUserAgent);
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _server.Services;

    /// <summary>The pods cache.</summary>
    public ResourceCache Pods
    {
        get
        {
            Assert.True(Services.GetRequiredService<CacheRegistry>().TryGet("", "pods", out var cache));
            return cache;
        }
    }

    /// <summary>Starts the proxy; with <paramref name="waitForCache"/> returns once the pods cache is warm.</summary>
    public static async Task<AuthorizingProxy> StartAsync(AccessReviewingUpstream upstream, Action<ApiCacheOptions>? configure = null, TimeProvider? clock = null, bool waitForCache = true)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        var server = await LoopbackServer.StartAsync(
            app =>
            {
                app.Use(TestCallers.SetCallerAsync);
                app.MapApiCache();
            },
            services =>
            {
                if (clock is not null)
                {
                    services.AddSingleton(clock);
                }

                services.AddApiCache(options =>
                {
                    options.Upstream.Servers.Add(new UpstreamServerOptions { Url = upstream.Address.ToString() });
                    options.Cache.Enabled = true;
                    options.Cache.Resources = [new CachedResourceOptions { Resource = "pods" }];
                    options.Security.Mode = SecurityMode.Trusted;
                    configure?.Invoke(options);
                });
            });
        var proxy = new AuthorizingProxy(server);
        if (waitForCache && proxy.Services.GetRequiredService<IOptions<ApiCacheOptions>>().Value.Cache.Enabled)
        {
            await CacheWait.UntilReadyAsync(proxy.Pods.Cache);
        }

        return proxy;
    }

    /// <summary>GETs <paramref name="target"/> as the caller of <paramref name="token"/> (null: no credentials); the whole answer.</summary>
    public Task<Answer> GetAsync(string target, string? token) => SendAsync(HttpMethod.Get, target, token);

    /// <summary>Sends a request as the caller of <paramref name="token"/>; the whole answer.</summary>
    public async Task<Answer> SendAsync(HttpMethod method, string target, string? token, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(target, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await Client.SendAsync(request);
        var headers = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        return new Answer((int)response.StatusCode, headers, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>A response: status, headers (content headers included), body.</summary>
    internal sealed record Answer(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
    }
}
