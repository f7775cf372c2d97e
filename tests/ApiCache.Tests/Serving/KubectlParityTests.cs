using System.Text.Json.Nodes;
using ApiCache.Caching;
using ApiCache.Tests.Caching;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ApiCache.Tests.Serving;

/// <summary>
/// Real kubectl (1.27 and 1.33) through the proxy with its cache on, against the same kubectl
/// straight at the dev server (a seeded cluster, no writes meanwhile): every <c>get</c> prints
/// the same bytes. The <c>-o json</c> reads are answered from the cache (the counters say so);
/// the default table output asks for a Table, which is forwarded.
/// </summary>
public sealed class KubectlParityTests(ITestOutputHelper output)
{
    private const int Pods = 150;
    private const string ContextNamespace = "ns-0";
    private const int TableAttempts = 5;

    public static TheoryData<string> Versions => new() { "1.27", "1.33" };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Get_ThroughProxyAndDirect_SameOutputAndJsonReadsServedFromCache(string version)
    {
        // Arrange
        await using var upstream = await DevServerHost.StartAsync(o =>
        {
            o.Seed.Nodes = 4;
            o.Seed.Pods = Pods;
            o.Seed.ConfigMaps = 60;
            o.Seed.Namespaces = 3;
        });
        await using var proxy = await ProxyHost.StartAsync(upstream.Address, options =>
        {
            options.Cache.Enabled = true;
            options.Cache.Resources = [new() { Resource = "pods" }, new() { Resource = "configmaps" }];
        });
        foreach (var resource in proxy.Services.GetRequiredService<CacheRegistry>().Resources)
        {
            await CacheWait.UntilReadyAsync(resource.Cache);
        }

        using var directHome = new TempDirectory();
        using var proxyHome = new TempDirectory();
        var direct = new KubectlRunner(version, KubectlRunner.WriteKubeconfig(directHome.Path, upstream.Address, @namespace: ContextNamespace), directHome.Path);
        var viaProxy = new KubectlRunner(version, KubectlRunner.WriteKubeconfig(proxyHome.Path, proxy.Address, @namespace: ContextNamespace), proxyHome.Path);
        using var metrics = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = proxy.Address };
        var node = (string)JsonNode.Parse((await direct.RunAsync("get", "pods", "-A", "-o", "json")).Stdout)!["items"]![0]!["spec"]!["nodeName"]!;
        string[][] jsonRuns =
        [
            ["get", "pods", "-A", "-o", "json"],
            ["get", "pods", "-l", "app=web", "-o", "json"],
            ["get", "pods", "-A", "--field-selector", "spec.nodeName=" + node, "-o", "json"],
            ["get", "pods", "-A", "--chunk-size=50", "-o", "json"],
            ["get", "configmaps", "-A", "-o", "json"],
        ];

        // Act + Assert: the -o json reads.
        var before = await CacheReadCounters.ScrapeAsync(metrics);
        foreach (var args in jsonRuns)
        {
            var expected = await RunOkAsync(direct, args);
            var actual = await RunOkAsync(viaProxy, args);
            var items = JsonNode.Parse(expected.Stdout)!["items"]!.AsArray().Count;
            output.WriteLine($"kubectl {version} {string.Join(' ', args)}: {items} items, {actual.StdoutBytes.Length} bytes");
            Assert.True(items > 0, $"kubectl {string.Join(' ', args)} listed nothing: the comparison would prove little");
            Assert.Equal(expected.Stdout, actual.Stdout);
        }

        var afterJson = await CacheReadCounters.ScrapeAsync(metrics);
        var json = before.Until(afterJson);
        output.WriteLine($"kubectl {version} -o json through the proxy: {json.Describe()}");

        // pods: -A, -l, --field-selector, and the chunked list's ceil(150/50) = 3 pages; configmaps: one list.
        Assert.Equal(6, json.FromCache("pods", "list"));
        Assert.Equal(1, json.FromCache("configmaps", "list"));
        Assert.Equal(json.Total(), json.FromCache());

        // The default output (a Table request, forwarded): AGE moves with the clock, so the proxy's run
        // must equal the direct runs around it whenever those two agree.
        var table = await SameTableOutputAsync(direct, viaProxy);
        Assert.Equal(Pods + 1, table.TrimEnd('\n').Split('\n').Length);
        var afterTable = await CacheReadCounters.ScrapeAsync(metrics);
        Assert.Equal(afterJson.Total(), afterTable.Total());
    }

    private static async Task<KubectlResult> RunOkAsync(KubectlRunner kubectl, string[] args)
    {
        var result = await kubectl.RunAsync(args);
        Assert.True(result.ExitCode == 0, $"kubectl {kubectl.Version} {string.Join(' ', args)} via {kubectl.Kubeconfig}: {result}");
        return result;
    }

    /// <summary>Runs <c>get pods -A</c> direct, via the proxy, direct again until the direct runs agree; returns the output.</summary>
    private static async Task<string> SameTableOutputAsync(KubectlRunner direct, KubectlRunner viaProxy)
    {
        string[] args = ["get", "pods", "-A"];
        for (var attempt = 0; attempt < TableAttempts; attempt++)
        {
            var first = (await RunOkAsync(direct, args)).Stdout;
            var proxied = (await RunOkAsync(viaProxy, args)).Stdout;
            var second = (await RunOkAsync(direct, args)).Stdout;
            if (first == second)
            {
                Assert.Equal(first, proxied);
                Assert.StartsWith("NAMESPACE", proxied, StringComparison.Ordinal);
                return proxied;
            }
        }

        Assert.Fail($"the direct table output changed between runs {TableAttempts} times in a row");
        return "";
    }
}
