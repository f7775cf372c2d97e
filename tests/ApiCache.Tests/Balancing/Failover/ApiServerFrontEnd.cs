using System.Collections.Concurrent;
using ApiCache.DevServer.Hosting;
using ApiCache.DevServer.Storage;
using ApiCache.Informers;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Balancing.Failover;

/// <summary>
/// One "apiserver" of a cluster: a dev API server over a store shared with the others (optionally
/// through a <see cref="LaggingStore"/>), behind a <see cref="TcpRelay"/> so the test can kill it
/// (connections cut, new ones refused) and bring it back on the same address. Records the informer
/// requests (by their User-Agent) it receives.
/// </summary>
internal sealed class ApiServerFrontEnd : IAsyncDisposable
{
    /// <summary>Where a killed front end's relay sends new connections: nothing listens on port 1, so they are refused.</summary>
    private static readonly Uri Nowhere = new("http://127.0.0.1:1");

    private readonly ConcurrentQueue<string> _informerRequests;
    private readonly LoopbackServer _server;

    private ApiServerFrontEnd(LoopbackServer server, LaggingStore? lagging, ConcurrentQueue<string> informerRequests)
    {
        _server = server;
        _informerRequests = informerRequests;
        Lagging = lagging;
        Relay = TcpRelay.Start(server.Address);
    }

    /// <summary>The stable address the proxy is configured with.</summary>
    public Uri Address => Relay.Address;

    public TcpRelay Relay { get; }

    /// <summary>The lagging view this front end reads through, when it was started lagging.</summary>
    public LaggingStore? Lagging { get; }

    /// <summary>Path and query of every informer request received, in arrival order.</summary>
    public IReadOnlyList<string> InformerRequests => [.. _informerRequests];

    /// <summary>Starts a front end over <paramref name="store"/>; with <paramref name="lagging"/>, through a <see cref="LaggingStore"/>.</summary>
    public static async Task<ApiServerFrontEnd> StartAsync(IRevisionedStore store, bool lagging = false)
    {
        var view = lagging ? new LaggingStore(store) : null;
        var requests = new ConcurrentQueue<string>();
        var server = await LoopbackServer.StartAsync(
            app =>
            {
                app.Use(async (context, next) =>
                {
                    if (context.Request.Headers.UserAgent.ToString() == ListWatchClient.UserAgent)
                    {
                        requests.Enqueue(context.Request.Path + context.Request.QueryString);
                    }

                    await next(context);
                });
                app.MapDevServer();
            },
            services =>
            {
                services.AddSingleton(view ?? store);
                services.AddDevServer(options =>
                {
                    options.BookmarkInterval = TimeSpan.FromSeconds(1);
                    options.TooLargeResourceVersionWait = TimeSpan.FromMilliseconds(300);
                    options.ExtraResources.Add(DevServerHost.Widgets());
                });
            });
        return new ApiServerFrontEnd(server, view, requests);
    }

    /// <summary>The informer watches of <paramref name="collectionPath"/> this front end received.</summary>
    public IReadOnlyList<string> WatchesOf(string collectionPath) =>
        [.. InformerRequests.Where(r => r.StartsWith(collectionPath + "?", StringComparison.Ordinal) && r.Contains("watch=true", StringComparison.Ordinal))];

    /// <summary>Cuts every connection and refuses new ones, as a dead apiserver would.</summary>
    public void Kill()
    {
        Relay.Backend = Nowhere;
        Relay.DropConnections();
    }

    /// <summary>Accepts connections again.</summary>
    public void Revive() => Relay.Backend = _server.Address;

    public async ValueTask DisposeAsync()
    {
        await Relay.DisposeAsync();
        await _server.DisposeAsync();
    }
}
