using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ApiCache.Tests.Informers;
using ApiCache.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ApiCache.Tests.Serving;

/// <summary>
/// The real sidecar process while its pods cache is cold: in front of the dev server (a seeded
/// cluster) through a relay that holds the pods informer's initial list until the test lets it go,
/// so the cold window is deterministic. Until then /readyz fails (cache-sync/pods), pods LISTs and
/// WATCHes get 429 with Retry-After and the warming-up Status, a GET of one pod and Table LISTs
/// (kubectl's default output) are forwarded, and warm resources answer normally; kubectl -o json
/// retries the 429 by itself (after Retry-After) and succeeds once the list is through.
/// </summary>
public sealed class ColdCacheTests(ITestOutputHelper output)
{
    private const int Pods = 120;
    private const string Warming = "The cache of pods is warming up (its initial list from the apiserver is not complete), please try again later";

    [Fact]
    public async Task Sidecar_PodsInitialListHeld_ListsAndWatchesGet429GetsAreForwardedAndKubectlSucceedsAfterSync()
    {
        // Arrange: the dev server with a seeded cluster; the relay holds the sidecar's initial pods list.
        await using var upstream = await DevServerHost.StartAsync(o =>
        {
            o.Seed.Nodes = 4;
            o.Seed.Pods = Pods;
            o.Seed.ConfigMaps = 20;
            o.Seed.Namespaces = 3;
        });
        var (status, seeded, text) = await upstream.GetAsync("/api/v1/pods");
        Assert.True(status == 200, text);
        var podItems = seeded!["items"]!.AsArray();
        Assert.Equal(Pods, podItems.Count);
        var somePod = podItems[0]!["metadata"]!;
        var onePodPath = $"/api/v1/namespaces/{somePod["namespace"]}/pods/{somePod["name"]}";
        await using var relay = await GatedRelay.StartAsync(upstream.Address, request =>
            request.Path == "/api/v1/pods" && request.Query["limit"] == "500" && !request.Query.ContainsKey("watch")
            && request.Headers.UserAgent.ToString().EndsWith("(informer)", StringComparison.Ordinal));
        await using var sidecar = await SidecarProcess.StartAsync(
        [
            "--ApiCache:Upstream:Servers:0:Url=" + relay.Address,
            "--Sidecar:Listen=http://127.0.0.1:0",
            "--ApiCache:Cache:Resources:0:Resource=pods",
            "--ApiCache:Cache:Resources:1:Resource=configmaps",
        ]);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = sidecar.Address, Timeout = TimeSpan.FromSeconds(60) };
        await Eventually.TrueAsync(() => relay.Held > 0, () => "the sidecar's initial pods list to reach the relay");
        await UntilAsync(() => ConfigMapsListAnswersAsync(client), "the configmaps cache to be warm");
        using var home = new TempDirectory();
        var kubectl = new KubectlRunner("1.33", KubectlRunner.WriteKubeconfig(home.Path, sidecar.Address), home.Path);

        // Act (cold): the test's own reads, then kubectl's Table output, then kubectl -o json in the background.
        using var list = await client.GetAsync(new Uri("/api/v1/pods", UriKind.Relative));
        using var selected = await client.GetAsync(new Uri("/api/v1/namespaces/ns-0/pods?labelSelector=app%3Dweb&limit=10", UriKind.Relative));
        using var watch = await client.GetAsync(new Uri("/api/v1/pods?watch=true&resourceVersion=0", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        using var get = await client.GetAsync(new Uri(onePodPath, UriKind.Relative));
        using var table = await GetTableAsync(client, "/api/v1/pods?limit=500");
        using var configMaps = await client.GetAsync(new Uri("/api/v1/configmaps", UriKind.Relative));
        var readyzCold = await GetTextAsync(client, "/readyz?verbose");
        var podsSyncCold = await GetTextAsync(client, "/readyz/cache-sync/pods");
        var livezCold = await GetTextAsync(client, "/livez");
        var beforeKubectl = await CacheReadCounters.ScrapeAsync(client);
        var tableRun = await kubectl.RunAsync("get", "pods", "-A");
        var afterTableRun = await CacheReadCounters.ScrapeAsync(client);
        var jsonRun = kubectl.RunAsync("get", "pods", "-A", "-o", "json", "-v=6");
        await UntilAsync(
            async () => (await CacheReadCounters.ScrapeAsync(client)).Get("rejected_cold", "pods", "list") > afterTableRun.Get("rejected_cold", "pods", "list"),
            "kubectl's LIST to be answered 429");
        var stillCold = !jsonRun.IsCompleted;
        var heldOnce = relay.Held;

        // Act (warm): let the initial list through.
        relay.Release();
        var json = await jsonRun;
        using var warmList = await client.GetAsync(new Uri("/api/v1/pods", UriKind.Relative));
        var readyzWarm = await GetTextAsync(client, "/readyz");
        var afterSync = await CacheReadCounters.ScrapeAsync(client);

        foreach (var line in json.Stderr.Split('\n').Where(l => l.Contains("429", StringComparison.Ordinal) || l.Contains("200 OK", StringComparison.Ordinal)))
        {
            output.WriteLine("kubectl 1.33 -v=6: " + line);
        }

        output.WriteLine("sidecar pods after sync: " + afterSync.Describe("pods"));

        // Assert (cold): 429 + Retry-After + the warming Status for LIST and WATCH; GET and Table forwarded; warm configmaps served.
        await AssertWarmingAsync(list);
        await AssertWarmingAsync(selected);
        await AssertWarmingAsync(watch);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal((string?)somePod["uid"], (string?)JsonNode.Parse(await get.Content.ReadAsStringAsync())!["metadata"]!["uid"]);
        Assert.Equal(HttpStatusCode.OK, table.StatusCode);
        // (The dev server renders no Tables: it answers the plain list its Accept header also allows.)
        Assert.Equal(Pods, JsonNode.Parse(await table.Content.ReadAsStringAsync())!["items"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.OK, configMaps.StatusCode);
        Assert.Equal(2, beforeKubectl.Get("rejected_cold", "pods", "list"));
        Assert.Equal(1, beforeKubectl.Get("rejected_cold", "pods", "watch"));
        Assert.Equal(1, beforeKubectl.Get("forwarded", "pods", "get"));
        Assert.True(beforeKubectl.FromCache("configmaps", "list") >= 1, beforeKubectl.Describe("configmaps"));
        Assert.Equal(1, heldOnce);

        // Not ready while the pods cache is cold (its own check fails, the warm configmaps' passes); alive all along.
        Assert.Equal(HttpStatusCode.InternalServerError, readyzCold.Status);
        Assert.Contains("\n[-]cache-sync/pods failed: reason withheld\n", readyzCold.Text, StringComparison.Ordinal);
        Assert.Contains("\n[+]cache-sync/configmaps ok\n", readyzCold.Text, StringComparison.Ordinal);
        Assert.EndsWith("readyz check failed\n", readyzCold.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.InternalServerError, podsSyncCold.Status);
        Assert.Equal((HttpStatusCode.OK, "ok"), livezCold);

        // kubectl's default (Table) output is forwarded, so it works while the cache is cold.
        Assert.True(tableRun.ExitCode == 0, tableRun.ToString());
        Assert.StartsWith("NAMESPACE", tableRun.Stdout, StringComparison.Ordinal);
        Assert.Equal(Pods + 1, tableRun.Stdout.TrimEnd('\n').Split('\n').Length);
        Assert.Equal(beforeKubectl.Get("rejected_cold"), afterTableRun.Get("rejected_cold"));

        // kubectl -o json got 429 while cold, waited Retry-After, retried and got every pod from the warm cache.
        Assert.True(stillCold, "kubectl -o json finished before the cache was warm");
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Contains("429 Too Many Requests", json.Stderr, StringComparison.Ordinal);
        Assert.Equal(Pods, JsonNode.Parse(json.Stdout)!["items"]!.AsArray().Count);
        Assert.True(afterSync.FromCache("pods", "list") >= 2, afterSync.Describe("pods"));

        // After sync, the sidecar is ready and LISTs are answered.
        Assert.Equal((HttpStatusCode.OK, "ok"), readyzWarm);
        var warm = await warmList.Content.ReadAsStringAsync();
        Assert.True(warmList.StatusCode == HttpStatusCode.OK, warm);
        Assert.Equal(Pods, JsonNode.Parse(warm)!["items"]!.AsArray().Count);
    }

    /// <summary>Polls <paramref name="condition"/> (every 50 ms, at most 30 s: a hang guard).</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var turn = 0; turn < 600; turn++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("timed out waiting for " + what);
    }

    private static async Task<(HttpStatusCode Status, string Text)> GetTextAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<bool> ConfigMapsListAnswersAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/api/v1/configmaps?resourceVersion=0", UriKind.Relative));
        return response.StatusCode == HttpStatusCode.OK;
    }

    private static async Task<HttpResponseMessage> GetTableAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/json;as=Table;v=v1;g=meta.k8s.io"));
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/json"));
        return await client.SendAsync(request);
    }

    private static async Task AssertWarmingAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"{response.RequestMessage!.RequestUri}: {(int)response.StatusCode} {text}");
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        var status = JsonNode.Parse(text)!;
        Assert.Equal("TooManyRequests", (string?)status["reason"]);
        Assert.Equal(429, (int)status["code"]!);
        Assert.Equal(1, (int)status["details"]!["retryAfterSeconds"]!);
        Assert.Equal(Warming, (string?)status["message"]);
    }
}
