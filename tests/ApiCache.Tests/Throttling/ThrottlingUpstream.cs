using System.Collections.Concurrent;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Tests.Throttling;

/// <summary>
/// A scripted upstream apiserver for throttling tests: requests in namespace <c>slow</c> wait until the
/// test releases them, watches send one event and stay open until the client goes, mutations answer
/// 201, everything else an empty pod list at once. Records the User-Agent of each request it sees.
/// </summary>
internal sealed class ThrottlingUpstream : IAsyncDisposable
{
    /// <summary>The body of every quick list.</summary>
    public const string ListBody = "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"7\"},\"items\":[]}\n";

    /// <summary>The first (and only) event of every watch.</summary>
    public const string WatchEvent = "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"7\"}}}";

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _userAgents = new();
    private readonly Lock _gate = new();
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
    private int _slowArrivals;
    private LoopbackServer? _server;

    /// <summary>The upstream's base address.</summary>
    public Uri Address => _server!.Address;

    /// <summary>The User-Agents of the requests that reached the upstream, in arrival order.</summary>
    public IReadOnlyList<string> UserAgents => [.. _userAgents];

    public static async Task<ThrottlingUpstream> StartAsync()
    {
        var upstream = new ThrottlingUpstream();
        upstream._server = await LoopbackServer.StartAsync(app => app.Run(upstream.HandleAsync));
        return upstream;
    }

    /// <summary>Lets every waiting (and future) slow request answer.</summary>
    public void ReleaseSlowLists() => _release.TrySetResult();

    /// <summary>Waits (bounded) until <paramref name="count"/> slow requests have arrived.</summary>
    public Task WaitForSlowListsAsync(int count)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (_slowArrivals >= count)
            {
                return Task.CompletedTask;
            }

            signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
        }

        return signal.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        _userAgents.Enqueue(context.Request.Headers.UserAgent.ToString());
        context.Response.ContentType = "application/json";
        if (context.Request.Query["watch"] == "true")
        {
            await context.Response.WriteAsync(WatchEvent + "\n");
            await context.Response.Body.FlushAsync();
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client went away.
            }

            return;
        }

        if (context.Request.Path.StartsWithSegments("/api/v1/namespaces/slow", StringComparison.Ordinal))
        {
            lock (_gate)
            {
                _slowArrivals++;
                foreach (var waiter in _waiters.Where(w => w.Count <= _slowArrivals))
                {
                    waiter.Signal.TrySetResult();
                }
            }

            await _release.Task.WaitAsync(context.RequestAborted);
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status201Created;
            await context.Response.WriteAsync("{}\n");
            return;
        }

        await context.Response.WriteAsync(ListBody);
    }
}
