using System.Net;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.Tests.Caching;
using ApiCache.Tests.Informers;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Health;

/// <summary>
/// /readyz waits for the caches: one <c>cache-sync/&lt;resource&gt;</c> check per cached resource,
/// failing while its first list is not stored and again while it re-lists; /healthz and /livez do
/// not look at the caches.
/// </summary>
public sealed class ReadyzCacheSyncTests
{
    private const string PodList = """{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":[]}""";
    private const string DeploymentList = """{"kind":"DeploymentList","apiVersion":"apps/v1","metadata":{"resourceVersion":"5"},"items":[]}""";
    private const string ExpiredEvent = """{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (6)","reason":"Expired","code":410}}""";

    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Readyz_CacheCold_FailsForThatResourceUntilItsListIsStored()
    {
        var deploymentsListed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackServer.StartAsync(app => app.Run(context => context.Request.Path.Value switch
        {
            "/api/v1/pods" when !IsWatch(context) => WriteAsync(context, PodList),
            "/apis/apps/v1/deployments" when !IsWatch(context) => AnswerWhenAsync(context, deploymentsListed.Task, DeploymentList),
            _ => HangAsync(context),
        }));
        await using var proxy = await StartProxyAsync(upstream);
        var registry = proxy.Services.GetRequiredService<CacheRegistry>();
        Assert.True(registry.TryGet("", "pods", out var pods));
        Assert.True(registry.TryGet("apps", "deployments", out var deployments));
        await CacheWait.UntilReadyAsync(pods.Cache);
        using var client = new HttpClient { BaseAddress = proxy.Address };

        var (cold, coldBody) = await GetAsync(client, "/readyz");
        var (coldVerbose, coldVerboseBody) = await GetAsync(client, "/readyz?verbose");
        var (podsCheck, podsCheckBody) = await GetAsync(client, "/readyz/cache-sync/pods");
        var (deploymentsCheck, deploymentsCheckBody) = await GetAsync(client, "/readyz/cache-sync/deployments.apps");
        var (unknownCheck, _) = await GetAsync(client, "/readyz/cache-sync/secrets");
        var (healthz, healthzBody) = await GetAsync(client, "/healthz");
        var (livez, livezBody) = await GetAsync(client, "/livez");

        const string Failing = "[+]ping ok\n[+]shutdown ok\n[+]cache-sync/pods ok\n[-]cache-sync/deployments.apps failed: reason withheld\nreadyz check failed\n";
        Assert.Equal((HttpStatusCode.InternalServerError, Failing), (cold, coldBody));
        Assert.Equal((HttpStatusCode.InternalServerError, Failing), (coldVerbose, coldVerboseBody));
        Assert.Equal((HttpStatusCode.OK, "ok"), (podsCheck, podsCheckBody));
        Assert.Equal(
            (HttpStatusCode.InternalServerError, "[-]cache-sync/deployments.apps failed: reason withheld\nreadyz check failed\n"),
            (deploymentsCheck, deploymentsCheckBody));
        Assert.Equal(HttpStatusCode.NotFound, unknownCheck);
        Assert.Equal((HttpStatusCode.OK, "ok"), (healthz, healthzBody));
        Assert.Equal((HttpStatusCode.OK, "ok"), (livez, livezBody));

        deploymentsListed.SetResult();
        await CacheWait.UntilReadyAsync(deployments.Cache);

        Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(client, "/readyz"));
        Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(client, "/readyz/cache-sync/deployments.apps"));
    }

    [Fact]
    public async Task Readyz_Synced_PassesWithALinePerResource()
    {
        await using var upstream = await DevServerHost.StartAsync();
        await using var proxy = await StartProxyAsync(upstream.Server);
        foreach (var resource in proxy.Services.GetRequiredService<CacheRegistry>().Resources)
        {
            await CacheWait.UntilReadyAsync(resource.Cache);
        }

        using var client = new HttpClient { BaseAddress = proxy.Address };

        Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(client, "/readyz"));
        Assert.Equal(
            (HttpStatusCode.OK, "[+]ping ok\n[+]shutdown ok\n[+]cache-sync/pods ok\n[+]cache-sync/deployments.apps ok\nreadyz check passed\n"),
            await GetAsync(client, "/readyz?verbose"));
        Assert.Equal(
            (HttpStatusCode.OK, "[+]cache-sync/pods ok\nreadyz check passed\n"),
            await GetAsync(client, "/readyz/cache-sync/pods?verbose"));
    }

    [Fact]
    public async Task Readyz_Relisting_FailsUntilTheNewListIsStored()
    {
        var expire = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var relisted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var podLists = 0;
        var podWatches = 0;
        await using var upstream = await LoopbackServer.StartAsync(app => app.Run(context =>
        {
            if (context.Request.Path.Value == "/apis/apps/v1/deployments")
            {
                return IsWatch(context) ? HangAsync(context) : WriteAsync(context, DeploymentList);
            }

            if (context.Request.Path.Value != "/api/v1/pods")
            {
                // Anything else (the pool's /readyz health checks, every few seconds) is not a pod list.
                return WriteAsync(context, "ok");
            }

            if (!IsWatch(context))
            {
                // The first list answers at once; the re-list after the 410 waits for the test.
                return Interlocked.Increment(ref podLists) == 1 ? WriteAsync(context, PodList) : AnswerWhenAsync(context, relisted.Task, PodList);
            }

            return Interlocked.Increment(ref podWatches) == 1 ? AnswerWhenAsync(context, expire.Task, ExpiredEvent + "\n") : HangAsync(context);
        }));
        await using var proxy = await StartProxyAsync(upstream);
        Assert.True(proxy.Services.GetRequiredService<CacheRegistry>().TryGet("", "pods", out var pods));
        foreach (var resource in proxy.Services.GetRequiredService<CacheRegistry>().Resources)
        {
            await CacheWait.UntilReadyAsync(resource.Cache);
        }

        using var client = new HttpClient { BaseAddress = proxy.Address };
        Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(client, "/readyz"));

        expire.SetResult();
        await Eventually.TrueAsync(() => !pods.Cache.IsReady, () => "the pods cache to start re-listing after the 410");
        var relisting = await GetAsync(client, "/readyz?verbose");
        relisted.SetResult();
        await CacheWait.UntilReadyAsync(pods.Cache);

        Assert.Equal(
            (HttpStatusCode.InternalServerError, "[+]ping ok\n[+]shutdown ok\n[-]cache-sync/pods failed: reason withheld\n[+]cache-sync/deployments.apps ok\nreadyz check failed\n"),
            relisting);
        Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(client, "/readyz"));
        Assert.Equal(2, Volatile.Read(ref podLists));
    }

    private static Task<LoopbackServer> StartProxyAsync(LoopbackServer upstream) =>
        ProxyHost.StartAsync(upstream.Address, options =>
        {
            options.Cache.Enabled = true;
            options.Cache.Resources =
            [
                new CachedResourceOptions { Resource = "pods" },
                new CachedResourceOptions { Group = "apps", Resource = "deployments" },
            ];
        });

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static bool IsWatch(HttpContext context) => context.Request.Query["watch"] == "true";

    private static async Task WriteAsync(HttpContext context, string body)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body, context.RequestAborted);
    }

    private static async Task AnswerWhenAsync(HttpContext context, Task gate, string body)
    {
        await gate.WaitAsync(Guard, context.RequestAborted);
        await WriteAsync(context, body);
    }

    /// <summary>Never answers (a watch with nothing to say, or a list that does not come); ends when the client goes.</summary>
    private static async Task HangAsync(HttpContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
