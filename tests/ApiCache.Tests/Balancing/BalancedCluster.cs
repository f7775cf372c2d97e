using System.Collections.Concurrent;
using ApiCache.Balancing;
using ApiCache.Configuration;
using ApiCache.DevServer.Storage;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Balancing;

/// <summary>
/// Three dev API server front ends sharing one store, each behind its own relay, and the ApiCache
/// proxy (informer cache off) forwarding to the three relays with fast health checks.
/// </summary>
internal sealed class BalancedCluster : IAsyncDisposable
{
    /// <summary>The non-cached path used for steady load.</summary>
    public const string SecretsPath = "/api/v1/namespaces/default/secrets";

    private readonly ConcurrentDictionary<string, byte> _clientConnections = new();

    private BalancedCluster(CountingApiServer[] servers)
    {
        Servers = servers;
    }

    public IReadOnlyList<CountingApiServer> Servers { get; }

    public LoopbackServer Proxy { get; private set; } = null!;

    public UpstreamPool Pool => Proxy.Services.GetRequiredService<UpstreamPool>();

    /// <summary>Distinct client connections the proxy has seen (Kestrel connection ids).</summary>
    public int ClientConnections => _clientConnections.Count;

    public static async Task<BalancedCluster> StartAsync(Action<BalancingOptions>? configure = null, HttpProtocols protocols = HttpProtocols.Http1AndHttp2)
    {
        var store = new InMemoryRevisionedStore();
        var servers = new CountingApiServer[3];
        for (var i = 0; i < servers.Length; i++)
        {
            servers[i] = await CountingApiServer.StartAsync(store);
        }

        var cluster = new BalancedCluster(servers);
        cluster.Proxy = await LoopbackServer.StartAsync(
            app =>
            {
                app.Use((context, next) =>
                {
                    cluster._clientConnections.TryAdd(context.Connection.Id, 0);
                    return next(context);
                });
                app.MapApiCache();
            },
            services => services.AddApiCache(options =>
            {
                ProxyHost.ForwardingOnly(options);
                foreach (var server in servers)
                {
                    options.Upstream.Servers.Add(new UpstreamServerOptions { Url = server.Name });
                }

                var balancing = options.Balancing;
                balancing.HealthCheckPeriod = TimeSpan.FromMilliseconds(200);
                balancing.HealthCheckTimeout = TimeSpan.FromSeconds(2);
                balancing.UnhealthyThreshold = 2;
                balancing.HealthyThreshold = 1;
                balancing.PassiveFailureThreshold = 3;
                configure?.Invoke(balancing);
            }),
            configureKestrel: kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = protocols));
        return cluster;
    }

    /// <summary>An HTTP/1.1 client of the proxy.</summary>
    public HttpClient CreateClient() => new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Proxy.Address, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>An HTTP/2 (cleartext, prior knowledge) client of the proxy: one connection for all its requests.</summary>
    public HttpClient CreateHttp2Client() => new(new SocketsHttpHandler { UseProxy = false })
    {
        BaseAddress = Proxy.Address,
        Timeout = TimeSpan.FromSeconds(60),
        DefaultRequestVersion = System.Net.HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>Requests per server so far.</summary>
    public int[] Counts() => [.. Servers.Select(s => s.Requests)];

    /// <summary>
    /// Sends <paramref name="count"/> GETs of <paramref name="path"/>, <paramref name="concurrency"/>
    /// at a time; returns the status codes that were not 200 (empty when all succeeded).
    /// </summary>
    public static async Task<List<string>> LoadAsync(HttpClient client, int count, int concurrency = 4, string path = SecretsPath)
    {
        var failures = new ConcurrentBag<string>();
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < count)
            {
                try
                {
                    using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
                    var body = await response.Content.ReadAsStringAsync();
                    if ((int)response.StatusCode != 200)
                    {
                        failures.Add($"{(int)response.StatusCode}: {body}");
                    }
                }
                catch (HttpRequestException e)
                {
                    failures.Add(e.Message);
                }
            }
        });
        await Task.WhenAll(workers);
        return [.. failures];
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; false on timeout.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }
    }
}
