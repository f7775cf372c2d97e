using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.Consistency;
using ApiCache.Tests.Caching;
using ApiCache.Tests.Informers;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Serving;

/// <summary>
/// Consistent reads whose cache cannot catch up: the proxy (cache on, pods only) in front of a
/// scripted upstream whose pods list is at resourceVersion 10, whose watch stays silent (no event,
/// no bookmark), and whose quorum probe says the current revision is 20. Each consistent read waits
/// the (tiny) WaitTimeout in vain; with Fallback=Reject it gets 429 with Retry-After and never the
/// cached (possibly stale) state; with Fallback=Forward at most MaxConcurrentFallbacks are forwarded
/// at once (the test holds them upstream) and the rest get 429.
/// </summary>
public sealed class ConsistentReadFallbackTests : IAsyncLifetime
{
    private const long CachedRv = 10;
    private const long CurrentRv = 20;
    private const string Namespace = "ns";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Fallback reads (anything but the reflector's list and the probes) the upstream received, in order.</summary>
    private readonly ConcurrentQueue<string> _fallbacks = new();
    private readonly TaskCompletionSource _releaseFallbacks = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ScriptedUpstream? _upstream;

    private ScriptedUpstream Upstream => _upstream!;

    public async Task InitializeAsync() => _upstream = await ScriptedUpstream.StartAsync(AnswerListAsync, WatchSilentlyAsync);

    public async Task DisposeAsync()
    {
        _releaseFallbacks.TrySetResult();
        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }
    }

    [Fact]
    public async Task ConsistentRead_FallbackRejectAndCacheBehind_TooManyRequestsWithRetryAfterAndNoCachedData()
    {
        // Arrange
        await using var proxy = await StartProxyAsync(reads =>
        {
            reads.Fallback = ConsistentReadFallback.Reject;
            reads.RetryAfterSeconds = 3;
        });
        using var client = new HttpClient { BaseAddress = proxy.Address, Timeout = Deadline };

        // Act: a consistent LIST (plain and paged) and a consistent GET; then the same reads accepting any state.
        var list = await client.GetAsync(new Uri($"/api/v1/namespaces/{Namespace}/pods", UriKind.Relative));
        var paged = await client.GetAsync(new Uri("/api/v1/pods?limit=2", UriKind.Relative));
        var get = await client.GetAsync(new Uri($"/api/v1/namespaces/{Namespace}/pods/a", UriKind.Relative));
        var anyList = await client.GetAsync(new Uri($"/api/v1/namespaces/{Namespace}/pods?resourceVersion=0", UriKind.Relative));
        var anyGet = await client.GetAsync(new Uri($"/api/v1/namespaces/{Namespace}/pods/a?resourceVersion=0", UriKind.Relative));
        var counters = await CacheReadCounters.ScrapeAsync(client);

        // Assert: 429 with Retry-After and a Status, never the cached pod.
        foreach (var response in new[] { list, paged, get })
        {
            await AssertTooManyRequestsAsync(response, 3, "and the fallback to the apiserver is disabled");
        }

        Assert.Empty(_fallbacks);
        Assert.Equal(3, counters.Get("rejected_429", "pods"));
        Assert.Equal(0, counters.Get("fallback_upstream", "pods"));

        // The cache itself answers a read that accepts any state: it was the consistency that refused.
        Assert.Equal(HttpStatusCode.OK, anyList.StatusCode);
        Assert.Equal(CachedRv.ToString(CultureInfo.InvariantCulture), (string?)JsonNode.Parse(await anyList.Content.ReadAsStringAsync())!["metadata"]!["resourceVersion"]);
        Assert.Equal(HttpStatusCode.OK, anyGet.StatusCode);
        Assert.Equal("old", (string?)JsonNode.Parse(await anyGet.Content.ReadAsStringAsync())!["metadata"]!["labels"]!["v"]);
        Assert.Equal(2, counters.Get("cache_fresh", "pods"));
        foreach (var response in new[] { list, paged, get, anyList, anyGet })
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task ConsistentRead_MoreFallbacksThanTheCapWhileUpstreamHoldsThem_ExtraOnesGetTooManyRequests()
    {
        // Arrange
        const int Cap = 2;
        const int Reads = 5;
        await using var proxy = await StartProxyAsync(reads =>
        {
            reads.Fallback = ConsistentReadFallback.Forward;
            reads.MaxConcurrentFallbacks = Cap;
        });
        using var client = new HttpClient { BaseAddress = proxy.Address, Timeout = Deadline };

        // Act: five consistent reads at once; the upstream holds the forwarded ones.
        var reads = Enumerable.Range(0, Reads)
            .Select(i => client.GetAsync(new Uri(i % 2 == 0 ? $"/api/v1/namespaces/{Namespace}/pods" : $"/api/v1/namespaces/{Namespace}/pods/a", UriKind.Relative)))
            .ToList();
        await Eventually.TrueAsync(() => _fallbacks.Count == Cap, () => $"{Cap} fallbacks to reach the upstream (it has {_fallbacks.Count})");
        var rejected = new List<HttpResponseMessage>();
        using (var guard = new CancellationTokenSource(Deadline))
        {
            while (rejected.Count < Reads - Cap)
            {
                var done = await Task.WhenAny(reads).WaitAsync(guard.Token);
                reads.Remove(done);
                rejected.Add(await done);
            }
        }

        var whileHeld = await CacheReadCounters.ScrapeAsync(client);
        var heldStillRunning = reads.All(r => !r.IsCompleted);
        _releaseFallbacks.SetResult();
        var forwarded = await Task.WhenAll(reads).WaitAsync(Deadline);

        // A slot is free again: the next consistent read is forwarded.
        using var after = await client.GetAsync(new Uri($"/api/v1/namespaces/{Namespace}/pods", UriKind.Relative));
        var counters = await CacheReadCounters.ScrapeAsync(client);

        // Assert
        foreach (var response in rejected)
        {
            await AssertTooManyRequestsAsync(response, 1, "and the fallback to the apiserver is at its concurrency limit");
        }

        Assert.True(heldStillRunning, "a held fallback completed before the upstream released it");
        Assert.Contains($"\napicache_cache_fallbacks_in_flight {Cap}\n", whileHeld.Text, StringComparison.Ordinal);
        foreach (var response in forwarded.Append(after))
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            Assert.Contains("\"new\"", text, StringComparison.Ordinal);
        }

        Assert.Equal(Cap + 1, _fallbacks.Count);
        Assert.Equal(Cap + 1, counters.Get("fallback_upstream", "pods"));
        Assert.Equal(Reads - Cap, counters.Get("rejected_429", "pods"));
        Assert.Contains("\napicache_cache_fallbacks_in_flight 0\n", counters.Text, StringComparison.Ordinal);
        foreach (var response in rejected.Concat(forwarded))
        {
            response.Dispose();
        }
    }

    private static async Task AssertTooManyRequestsAsync(HttpResponseMessage response, int retryAfter, string reason)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"{response.RequestMessage!.RequestUri}: {(int)response.StatusCode} {text}");
        Assert.Equal(retryAfter.ToString(CultureInfo.InvariantCulture), response.Headers.GetValues("Retry-After").Single());
        var status = JsonNode.Parse(text)!;
        Assert.Equal("Status", (string?)status["kind"]);
        Assert.Equal("TooManyRequests", (string?)status["reason"]);
        Assert.Equal(429, (int)status["code"]!);
        Assert.Equal(retryAfter, (int)status["details"]!["retryAfterSeconds"]!);
        Assert.Equal(
            $"Too many requests: the cache of pods has not caught up with the current revision {reason}, please try again later",
            (string?)status["message"]);
        Assert.DoesNotContain("\"items\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("uid-a", text, StringComparison.Ordinal);
    }

    private static string Pod(long resourceVersion, string version) => string.Create(CultureInfo.InvariantCulture,
        $$$"""{"metadata":{"name":"a","namespace":"{{{Namespace}}}","uid":"uid-a","resourceVersion":"{{{resourceVersion}}}","labels":{"v":"{{{version}}}"}},"spec":{"nodeName":"node-1"}}""");

    private static string PodList(long resourceVersion, string item) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"{{resourceVersion}}"},"items":[{{item}}]}""");

    /// <summary>The proxy with the pods cache on, a tiny WaitTimeout and <paramref name="configure"/>d fallbacks; returns once the cache is ready.</summary>
    private async Task<LoopbackServer> StartProxyAsync(Action<ConsistentReadOptions> configure)
    {
        var proxy = await ProxyHost.StartAsync(Upstream.Address, options =>
        {
            options.Cache.Enabled = true;
            options.Cache.Resources = [new() { Resource = "pods" }];
            options.ConsistentReads.WaitTimeout = TimeSpan.FromMilliseconds(20);
            configure(options.ConsistentReads);
        });
        var pods = Assert.Single(proxy.Services.GetRequiredService<CacheRegistry>().Resources);
        await CacheWait.UntilReadyAsync(pods.Cache);
        Assert.Equal(CachedRv, pods.Cache.ResourceVersion);
        return proxy;
    }

    /// <summary>The reflector's list (limit=500) is at 10; a probe (limit=1) says 20; anything else is a fallback, held until released.</summary>
    private async Task AnswerListAsync(HttpContext context, int n)
    {
        var request = context.Request;
        if (request.Path == "/api/v1/pods" && request.Query["limit"] == "500")
        {
            await ScriptedUpstream.WriteAsync(context, 200, PodList(CachedRv, Pod(CachedRv, "old")));
            return;
        }

        if (request.Path == "/api/v1/namespaces/" + QuorumProbeRevisionSource.ProbeNamespace + "/pods" && request.Query["limit"] == "1")
        {
            await ScriptedUpstream.WriteAsync(context, 200, PodList(CurrentRv, Pod(CurrentRv, "new")));
            return;
        }

        _fallbacks.Enqueue(request.Path + request.QueryString);
        await _releaseFallbacks.Task.WaitAsync(context.RequestAborted);
        var single = request.Path.Value!.EndsWith("/a", StringComparison.Ordinal);
        await ScriptedUpstream.WriteAsync(context, 200, single
            ? "{\"kind\":\"Pod\",\"apiVersion\":\"v1\"," + Pod(CurrentRv, "new")[1..]
            : PodList(CurrentRv, Pod(CurrentRv, "new")));
    }

    /// <summary>A watch that stays open and silent: no event, no bookmark, so the cache stays at 10.</summary>
    private static async Task WatchSilentlyAsync(HttpContext context, int n)
    {
        await ScriptedUpstream.StartWatchAsync(context);
        await ScriptedUpstream.HoldAsync(context);
    }
}
