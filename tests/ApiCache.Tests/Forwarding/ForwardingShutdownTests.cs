using ApiCache.Configuration;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ApiCache.Tests.Forwarding;

/// <summary>At shutdown, watches are ended at once (clients reconnect) while ordinary requests finish.</summary>
public sealed class ForwardingShutdownTests
{
    /// <summary>Liveness deadline; without the behaviour under test the step would hang for the 10-minute shutdown timeout.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Stop_WithOpenWatchAndSlowGet_EndsWatchAndLetsGetFinish()
    {
        // Arrange: an upstream watch that never ends by itself, and a GET that answers when released.
        var watchAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var getArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseGet = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackServer.StartAsync(app => app.Run(async context =>
        {
            context.Response.ContentType = "application/json";
            if (context.Request.Query.ContainsKey("watch"))
            {
                await context.Response.WriteAsync("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\"}}\n");
                await context.Response.Body.FlushAsync();
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    watchAborted.SetResult();
                }

                return;
            }

            getArrived.SetResult();
            await releaseGet.Task;
            await context.Response.WriteAsync("{\"kind\":\"Pod\"}");
        }));
        await using var proxy = await LoopbackServer.StartAsync(
            app => app.MapApiCache(),
            services =>
            {
                services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromMinutes(10));
                services.AddApiCache(options => ProxyHost.ForwardingOnly(options).Upstream.Servers.Add(new UpstreamServerOptions { Url = upstream.Address.ToString() }));
            });
        using var watchClient = new HttpClient { BaseAddress = proxy.Address };
        using var getClient = new HttpClient { BaseAddress = proxy.Address };
        using var watch = await watchClient.GetAsync(new Uri("/api/v1/namespaces/team-a/pods?watch=1", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        using var events = new StreamReader(await watch.Content.ReadAsStreamAsync());
        Assert.NotNull(await events.ReadLineAsync().WaitAsync(Deadline));
        var get = getClient.GetStringAsync(new Uri("/api/v1/namespaces/team-a/pods/web-1", UriKind.Relative));
        await getArrived.Task.WaitAsync(Deadline);

        // Act
        var stop = proxy.StopAsync(CancellationToken.None);
        var watchEnded = await ReadToEndOrErrorAsync(events).WaitAsync(Deadline);
        await watchAborted.Task.WaitAsync(Deadline);
        releaseGet.SetResult();
        var body = await get.WaitAsync(Deadline);
        await stop.WaitAsync(Deadline);

        // Assert
        Assert.True(watchEnded);
        Assert.Equal("{\"kind\":\"Pod\"}", body);
    }

    /// <summary>True once the stream ends, cleanly or by a reset connection.</summary>
    private static async Task<bool> ReadToEndOrErrorAsync(StreamReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync() is not null)
            {
            }
        }
        catch (IOException)
        {
        }
        catch (HttpRequestException)
        {
        }

        return true;
    }
}
