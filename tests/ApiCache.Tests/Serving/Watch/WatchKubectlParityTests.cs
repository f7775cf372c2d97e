using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.Tests.Caching;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// Real <c>kubectl get pods -w --output-watch-events</c> (1.27 and 1.33) through the proxy, whose
/// pods watch is served from its cache, against the same kubectl straight at the dev server, while
/// the test creates, relabels and deletes pods: both print the same lines (event type, name,
/// resourceVersion, labels) in the same order. kubectl lists, then watches from the list's
/// resourceVersion, so a write after the initial lines reaches both however their start-ups interleave.
/// </summary>
public sealed class WatchKubectlParityTests(ITestOutputHelper output)
{
    private const string Namespace = "watch-kubectl";
    private const int InitialPods = 3;
    private const string Output = "jsonpath={.type} {.object.metadata.namespace}/{.object.metadata.name} {.object.metadata.resourceVersion} {.object.metadata.labels}{\"\\n\"}";

    public static TheoryData<string> Versions => new() { "1.27", "1.33" };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task GetWatch_ThroughCacheAndDirect_PrintSameEventSequence(string version)
    {
        // Arrange
        await using var upstream = await DevServerHost.StartAsync(o =>
        {
            o.Seed.Nodes = 2;
            o.Seed.Pods = 20;
            o.Seed.Namespaces = 2;
        });
        await upstream.CreateNamespaceAsync(Namespace);
        for (var i = 0; i < InitialPods; i++)
        {
            await upstream.CreatePodAsync(Namespace, $"initial-{i}", labels: $"{{\"app\":\"initial\",\"n\":\"{i}\"}}");
        }

        await using var proxy = await ProxyHost.StartAsync(upstream.Address, options =>
        {
            options.Cache.Enabled = true;
            options.Cache.Resources = [new CachedResourceOptions { Resource = "pods" }];
            options.Watch.BookmarkInterval = TimeSpan.FromMilliseconds(500);
        });
        await CacheWait.UntilReadyAsync(proxy.Services.GetRequiredService<CacheRegistry>().Resources.Single().Cache);

        using var directHome = new TempDirectory();
        using var proxyHome = new TempDirectory();
        var direct = new KubectlRunner(version, KubectlRunner.WriteKubeconfig(directHome.Path, upstream.Address, @namespace: Namespace), directHome.Path);
        var viaProxy = new KubectlRunner(version, KubectlRunner.WriteKubeconfig(proxyHome.Path, proxy.Address, @namespace: Namespace), proxyHome.Path);
        string[] args = ["get", "pods", "-w", "--output-watch-events", "-o", Output];
        var directLines = new List<string>();
        var proxyLines = new List<string>();

        // Act: both watches print the initial pods, then the test writes.
        await using var directWatch = direct.Start(args);
        await using var proxyWatch = viaProxy.Start(args);
        await ReadLinesAsync(directWatch, directLines, InitialPods);
        await ReadLinesAsync(proxyWatch, proxyLines, InitialPods);

        var writes = 0;
        for (var i = 0; i < 4; i++)
        {
            await upstream.CreatePodAsync(Namespace, $"w-{i}", labels: $"{{\"app\":\"w\",\"n\":\"{i}\"}}");
            writes++;
        }

        foreach (var name in new[] { "w-1", "initial-0", "w-3" })
        {
            await SendOkAsync(upstream, HttpMethod.Patch, $"/api/v1/namespaces/{Namespace}/pods/{name}", """{"metadata":{"labels":{"tier":"x","n":null}}}""", "application/merge-patch+json");
            writes++;
        }

        await SendOkAsync(upstream, HttpMethod.Patch, $"/api/v1/namespaces/{Namespace}/pods/w-1", """{"metadata":{"labels":{"tier":"y"}}}""", "application/merge-patch+json");
        writes++;
        foreach (var name in new[] { "w-0", "initial-2", "w-1" })
        {
            await SendOkAsync(upstream, HttpMethod.Delete, $"/api/v1/namespaces/{Namespace}/pods/{name}?gracePeriodSeconds=0");
            writes++;
        }

        await ReadLinesAsync(directWatch, directLines, writes);
        await ReadLinesAsync(proxyWatch, proxyLines, writes);

        // Assert
        output.WriteLine($"kubectl {version}, direct:\n{string.Join('\n', directLines)}\nthrough the proxy:\n{string.Join('\n', proxyLines)}");
        Assert.Equal(InitialPods + writes, directLines.Count);
        Assert.StartsWith($"DELETED {Namespace}/w-1 ", directLines[^1], StringComparison.Ordinal);
        Assert.Equal(directLines, proxyLines);

        // The proxy's watch was served from its cache (the changes were sent by it, not forwarded).
        var metrics = await MetricsScrape.ScrapeAsync(proxy.Address);
        var sent = metrics.Sum("apicache_watch_events_sent_total", ("resource", "pods"), ("type", "ADDED"))
            + metrics.Sum("apicache_watch_events_sent_total", ("resource", "pods"), ("type", "MODIFIED"))
            + metrics.Sum("apicache_watch_events_sent_total", ("resource", "pods"), ("type", "DELETED"));
        Assert.True(sent >= writes, $"the proxy's cache sent {sent} pod events, expected at least the {writes} writes:\n{metrics.Lines("apicache_watch")}");
    }

    /// <summary>Reads <paramref name="count"/> more lines of <paramref name="watch"/> into <paramref name="lines"/>.</summary>
    private static async Task ReadLinesAsync(StreamingProcess watch, List<string> lines, int count)
    {
        for (var i = 0; i < count; i++)
        {
            lines.Add(await watch.WaitForLineAsync(_ => true, timeoutSeconds: 60));
        }
    }

    private static async Task SendOkAsync(DevServerHost upstream, HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        var (status, _, text) = await upstream.SendAsync(method, path, body, contentType);
        Assert.True(status == 200, $"{method} {path} answered {status}: {text}");
    }
}
