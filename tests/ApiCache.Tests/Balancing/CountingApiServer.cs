using ApiCache.DevServer.Hosting;
using ApiCache.DevServer.Storage;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Balancing;

/// <summary>
/// One dev API server front end over a shared store, behind a <see cref="TcpRelay"/> (a stable
/// address that can be "killed" and brought back), with its own count of the API requests it
/// received (health probes not counted) and a switch that makes it answer 429 with Retry-After.
/// </summary>
internal sealed class CountingApiServer : IAsyncDisposable
{
    private int _requests;
    private int _posts;
    private int _refused;
    private volatile bool _tooManyRequests;

    private CountingApiServer(LoopbackServer server, TcpRelay relay)
    {
        Server = server;
        Relay = relay;
    }

    public LoopbackServer Server { get; private set; }

    public TcpRelay Relay { get; }

    /// <summary>The address the proxy is given, and the pool's endpoint name.</summary>
    public string Name => Relay.Address.GetLeftPart(UriPartial.Path).TrimEnd('/');

    /// <summary>API requests that reached this server (answered or refused with 429).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>POST requests that reached this server.</summary>
    public int Posts => Volatile.Read(ref _posts);

    /// <summary>Requests this server refused with 429.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>While set, every API request (not /readyz) is answered 429 with <c>Retry-After: 30</c>.</summary>
    public bool TooManyRequests
    {
        get => _tooManyRequests;
        set => _tooManyRequests = value;
    }

    public static async Task<CountingApiServer> StartAsync(IRevisionedStore store)
    {
        CountingApiServer? self = null;
        var server = await LoopbackServer.StartAsync(
            app =>
            {
                app.Use((context, next) => self!.InvokeAsync(context, next));
                app.MapDevServer();
            },
            services =>
            {
                services.AddSingleton(store);
                services.AddDevServer(options => options.BookmarkInterval = TimeSpan.FromSeconds(1));
            });
        self = new CountingApiServer(server, TcpRelay.Start(server.Address));
        return self;
    }

    /// <summary>Kills the endpoint: new connections are refused and open ones reset.</summary>
    public void Kill()
    {
        Relay.Refuse = true;
        Relay.DropConnections();
    }

    /// <summary>Brings a killed endpoint back on the same address.</summary>
    public void Revive() => Relay.Refuse = false;

    public async ValueTask DisposeAsync()
    {
        await Relay.DisposeAsync();
        await Server.DisposeAsync();
    }

    private Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value ?? "";
        if (!path.StartsWith("/api", StringComparison.Ordinal))
        {
            return next(context);
        }

        Interlocked.Increment(ref _requests);
        if (HttpMethods.IsPost(context.Request.Method))
        {
            Interlocked.Increment(ref _posts);
        }

        if (_tooManyRequests)
        {
            Interlocked.Increment(ref _refused);
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = "30";
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"storage is (re)initializing","reason":"TooManyRequests","details":{"retryAfterSeconds":30},"code":429}""");
        }

        return next(context);
    }
}
