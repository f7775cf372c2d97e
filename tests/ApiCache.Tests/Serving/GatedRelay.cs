using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Forwarder;

namespace ApiCache.Tests.Serving;

/// <summary>
/// An HTTP relay on loopback in front of a backend (YARP's forwarder, so watches stream through)
/// that holds the requests a predicate picks until the test calls <see cref="Release"/>: a
/// deterministic window in which, say, a cache's initial list has not completed.
/// </summary>
internal sealed class GatedRelay : IAsyncDisposable
{
    private readonly LoopbackServer _server;
    private readonly HttpMessageInvoker _invoker;
    private readonly TaskCompletionSource _open;
    private readonly Func<int> _held;

    private GatedRelay(LoopbackServer server, HttpMessageInvoker invoker, TaskCompletionSource open, Func<int> held)
    {
        _server = server;
        _invoker = invoker;
        _open = open;
        _held = held;
    }

    /// <summary>The relay's address; point clients here.</summary>
    public Uri Address => _server.Address;

    /// <summary>Requests held so far (released ones included).</summary>
    public int Held => _held();

    /// <summary>Starts a relay to <paramref name="backend"/> that holds the requests <paramref name="hold"/> picks.</summary>
    public static async Task<GatedRelay> StartAsync(Uri backend, Func<HttpRequest, bool> hold)
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = 0;
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        });
        var destination = backend.GetLeftPart(UriPartial.Authority) + "/";
        var server = await LoopbackServer.StartAsync(
            app => app.Run(async context =>
            {
                if (hold(context.Request))
                {
                    Interlocked.Increment(ref held);
                    await open.Task.WaitAsync(context.RequestAborted);
                }

                await context.RequestServices.GetRequiredService<IHttpForwarder>().SendAsync(context, destination, invoker);
            }),
            services => services.AddHttpForwarder());
        return new GatedRelay(server, invoker, open, () => Volatile.Read(ref held));
    }

    /// <summary>Lets every held request (and every later one) through.</summary>
    public void Release() => _open.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        Release();
        await _server.DisposeAsync();
        _invoker.Dispose();
    }
}
