using System.Net;
using System.Text;
using System.Text.Json;
using ApiCache.Configuration;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Throttling;

/// <summary>Throttling in the ApiCache pipeline, hosted in-process in front of a scripted upstream.</summary>
public sealed class ThrottlingProxyTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private ThrottlingUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await ThrottlingUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task MaxReadsInFlight_NPlusKSlowReads_KGet429AndWatchesAndMutationsGoOn()
    {
        // Arrange: at most 3 reads in flight; 3 slow lists hold every place.
        const int n = 3;
        const int k = 2;
        await using var proxy = await StartProxyAsync(o =>
        {
            o.Throttling.MaxReadsInFlight = n;
            o.Throttling.MaxMutationsInFlight = 1;
            o.Throttling.RetryAfterSeconds = 2;
        });
        using var client = new ThrottlingClient(proxy.Address);
        var slow = Enumerable.Range(0, n).Select(_ => client.SendAsync("GET", "/api/v1/namespaces/slow/pods", "reader/1.0")).ToList();
        await _upstream.WaitForSlowListsAsync(n);

        // Act
        var extra = await Task.WhenAll(Enumerable.Range(0, k).Select(_ => client.SendAsync("GET", "/api/v1/namespaces/slow/pods", "reader/1.0"))).WaitAsync(Deadline);
        var watches = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.SendAsync("GET", "/api/v1/pods?watch=true", "watcher/1.0", headersOnly: true))).WaitAsync(Deadline);
        var firstEvents = await Task.WhenAll(watches.Select(async w => await new StreamReader(await w.Content.ReadAsStreamAsync()).ReadLineAsync())).WaitAsync(Deadline);
        using var mutation = await client.SendAsync("POST", "/api/v1/namespaces/a/configmaps", "writer/1.0", body: "{}").WaitAsync(Deadline);
        var inflight = await MetricLinesAsync(client, "apicache_inflight_requests{");
        _upstream.ReleaseSlowLists();
        var finished = await Task.WhenAll(slow).WaitAsync(Deadline);
        var afterwards = await client.StatusAsync("/api/v1/namespaces/slow/pods", "reader/1.0").WaitAsync(Deadline);

        // Assert
        Assert.All(extra, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        var body = await extra[0].Content.ReadAsStringAsync();
        Assert.Equal(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"Too many requests, please try again later.\",\"reason\":\"TooManyRequests\",\"details\":{\"retryAfterSeconds\":2},\"code\":429}\n",
            body);
        Assert.Equal("2", extra[0].Headers.RetryAfter?.ToString());
        Assert.All(watches, w => Assert.Equal(HttpStatusCode.OK, w.StatusCode));
        Assert.All(firstEvents, e => Assert.Equal(ThrottlingUpstream.WatchEvent, e));
        Assert.Equal(HttpStatusCode.Created, mutation.StatusCode);
        Assert.Contains("apicache_inflight_requests{kind=\"read\"} 3", inflight);
        Assert.Contains("apicache_inflight_requests{kind=\"long_running\"} 5", inflight);
        Assert.All(finished, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(200, afterwards);
        // The refused reads never reached the upstream: 3 slow + 1 afterwards.
        Assert.Equal(n + 1, _upstream.UserAgents.Count(ua => ua == "reader/1.0"));
        Assert.Contains(
            "apicache_throttle_requests_total{decision=\"rejected_inflight\",rule=\"\",user_agent=\"reader\",verb=\"list\"} 2",
            await MetricLinesAsync(client, "apicache_throttle_requests_total{"));
        foreach (var watch in watches)
        {
            watch.Dispose();
        }
    }

    [Fact]
    public async Task MaxReadsInFlight_Full_RefusesNonResourceGetsButNotMutationsOrProbes()
    {
        // Arrange: one read in flight at most, and a slow list holds it.
        await using var proxy = await StartProxyAsync(o => o.Throttling.MaxReadsInFlight = 1);
        using var client = new ThrottlingClient(proxy.Address);
        var slow = client.SendAsync("GET", "/api/v1/namespaces/slow/pods", "reader/1.0");
        await _upstream.WaitForSlowListsAsync(1);

        // Act
        var read = await client.StatusAsync("/api/v1/pods", "reader/1.0").WaitAsync(Deadline);
        var version = await client.StatusAsync("/version", "reader/1.0").WaitAsync(Deadline);
        using var mutation = await client.SendAsync("POST", "/api/v1/namespaces/a/configmaps", "writer/1.0", body: "{}").WaitAsync(Deadline);
        var health = await client.StatusAsync("/healthz", "probe/1.0").WaitAsync(Deadline);
        _upstream.ReleaseSlowLists();
        using var finished = await slow.WaitAsync(Deadline);

        // Assert: a non-resource GET is a read too; mutations and ApiCache's own endpoints are not limited by it.
        Assert.Equal(429, read);
        Assert.Equal(429, version);
        Assert.Equal(HttpStatusCode.Created, mutation.StatusCode);
        Assert.Equal(200, health);
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
    }

    [Fact]
    public async Task MaxMutationsInFlight_Full_RefusesMutationsButNotReads()
    {
        // Arrange: one mutation in flight at most, and a slow create holds it.
        await using var proxy = await StartProxyAsync(o => o.Throttling.MaxMutationsInFlight = 1);
        using var client = new ThrottlingClient(proxy.Address);
        var slow = client.SendAsync("POST", "/api/v1/namespaces/slow/configmaps", "writer/1.0", body: "{}");
        await _upstream.WaitForSlowListsAsync(1);

        // Act
        using var patch = await client.SendAsync("PATCH", "/api/v1/namespaces/a/configmaps/c", "writer/1.0", body: "{}").WaitAsync(Deadline);
        using var delete = await client.SendAsync("DELETE", "/api/v1/namespaces/a/configmaps", "writer/1.0").WaitAsync(Deadline);
        var read = await client.StatusAsync("/api/v1/pods", "reader/1.0").WaitAsync(Deadline);
        _upstream.ReleaseSlowLists();
        using var finished = await slow.WaitAsync(Deadline);

        // Assert
        Assert.Equal(HttpStatusCode.TooManyRequests, patch.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, delete.StatusCode);
        Assert.Equal(200, read);
        Assert.Equal(HttpStatusCode.Created, finished.StatusCode);
    }

    [Fact]
    public async Task RejectRule_MatchingRequest_Gets429StatusLikeTheApiserversAndNeverReachesUpstream()
    {
        // Arrange
        await using var proxy = await StartProxyAsync(o => o.Throttling.Rules.Add(TestRules.Reject("block", "blocked")));
        using var client = new ThrottlingClient(proxy.Address);

        // Act
        using var response = await client.SendAsync("GET", "/api/v1/namespaces/a/pods", "blocked/2.0 (linux/amd64) kubernetes/abc");
        var body = await response.Content.ReadAsByteArrayAsync();
        var other = await client.StatusAsync("/api/v1/namespaces/a/pods", "allowed/1.0");

        // Assert
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"Too many requests, please try again later: throttled by ApiCache rule \\\"block\\\" (rejects every request it matches) for User-Agent \\\"blocked\\\".\",\"reason\":\"TooManyRequests\",\"details\":{\"retryAfterSeconds\":1},\"code\":429}\n",
            Encoding.UTF8.GetString(body));
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-cache, private", response.Headers.CacheControl?.ToString());
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.Equal(200, other);
        Assert.DoesNotContain(_upstream.UserAgents, ua => ua.StartsWith("blocked", StringComparison.Ordinal));

        // Same document shape as the apiserver's recorded 429 (which it indented for that client).
        using var ours = JsonDocument.Parse(body);
        using var recorded = JsonDocument.Parse(FixtureUpstream.FixtureBody("04-err-429-first-crd-request-after-apiserver-restart-storage-reinitializing"));
        Assert.Equal(Shape(recorded.RootElement), Shape(ours.RootElement));
    }

    [Fact]
    public async Task TokenBucket_EmptyBucket_RetryAfterIsTimeToTheNextToken()
    {
        // Arrange: one request per 10 s, on a clock that stands still.
        var clock = new FakeClock();
        await using var proxy = await StartProxyAsync(o => o.Throttling.Rules.Add(TestRules.TokenBucket("slowly", "bad-agent", rate: 0.1, burst: 1)), clock);
        using var client = new ThrottlingClient(proxy.Address);

        // Act
        var first = await client.StatusAsync("/api/v1/pods", "bad-agent/1.0");
        using var second = await client.SendAsync("GET", "/api/v1/pods", "bad-agent/1.0");
        clock.Advance(TimeSpan.FromSeconds(4));
        using var third = await client.SendAsync("GET", "/api/v1/pods", "bad-agent/1.0");
        clock.Advance(TimeSpan.FromSeconds(6));
        var fourth = await client.StatusAsync("/api/v1/pods", "bad-agent/1.0");

        // Assert
        Assert.Equal(200, first);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("10", second.Headers.RetryAfter?.ToString());
        Assert.Contains("\"details\":{\"retryAfterSeconds\":10}", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("6", third.Headers.RetryAfter?.ToString());
        Assert.Equal(200, fourth);
    }

    [Fact]
    public async Task ConcurrencyRule_Watches_CountOnlyWhileOpening()
    {
        // Arrange: one request in flight per User-Agent.
        await using var proxy = await StartProxyAsync(o => o.Throttling.Rules.Add(TestRules.Concurrency("one-at-a-time", "agent", 1)));
        using var client = new ThrottlingClient(proxy.Address);

        // Act: two watches stay open; then a slow list holds the place and a second list is refused.
        using var watch1 = await client.SendAsync("GET", "/api/v1/pods?watch=true", "agent/1.0", headersOnly: true);
        using var watch2 = await client.SendAsync("GET", "/api/v1/pods?watch=true", "agent/1.0", headersOnly: true);
        var slow = client.SendAsync("GET", "/api/v1/namespaces/slow/pods", "agent/1.0");
        await _upstream.WaitForSlowListsAsync(1);
        var second = await client.StatusAsync("/api/v1/pods", "agent/1.0").WaitAsync(Deadline);
        var otherAgent = await client.StatusAsync("/api/v1/pods", "agent/2.0").WaitAsync(Deadline);
        _upstream.ReleaseSlowLists();
        using var finished = await slow.WaitAsync(Deadline);
        var afterwards = await client.StatusAsync("/api/v1/pods", "agent/1.0").WaitAsync(Deadline);

        // Assert: per User-Agent string, so agent/2.0 has a place of its own.
        Assert.Equal(HttpStatusCode.OK, watch1.StatusCode);
        Assert.Equal(HttpStatusCode.OK, watch2.StatusCode);
        Assert.Equal(429, second);
        Assert.Equal(200, otherAgent);
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        Assert.Equal(200, afterwards);
    }

    [Fact]
    public async Task RuleMatchingEverything_OwnEndpoints_AreNeverThrottled()
    {
        // Arrange
        await using var proxy = await StartProxyAsync(o => o.Throttling.Rules.Add(new ThrottleRuleOptions
        {
            Name = "everything",
            UserAgent = new UserAgentMatchOptions { Regex = ".*" },
            Limiter = new ThrottleLimiterOptions { Type = ThrottleLimiterType.Reject },
        }));
        using var client = new ThrottlingClient(proxy.Address);

        // Act
        var statuses = new Dictionary<string, int>();
        foreach (var path in new[] { "/healthz", "/livez", "/readyz", "/readyz/ping", "/metrics", "/apicache/v1/top", "/version", "/api/v1/pods", "/apis/apps/v1/deployments" })
        {
            statuses[path] = await client.StatusAsync(path, "");
        }

        // Assert
        Assert.Equal(
            new Dictionary<string, int>
            {
                ["/healthz"] = 200, ["/livez"] = 200, ["/readyz"] = 200, ["/readyz/ping"] = 200, ["/metrics"] = 200, ["/apicache/v1/top"] = 200,
                ["/version"] = 429, ["/api/v1/pods"] = 429, ["/apis/apps/v1/deployments"] = 429,
            },
            statuses);
    }

    [Fact]
    public async Task Disabled_RulesAndLimits_AreNotApplied()
    {
        // Arrange
        await using var proxy = await StartProxyAsync(o =>
        {
            o.Throttling.Enabled = false;
            o.Throttling.Rules.Add(TestRules.Reject("block", "blocked"));
        });
        using var client = new ThrottlingClient(proxy.Address);

        // Act
        var status = await client.StatusAsync("/api/v1/pods", "blocked/1.0");

        // Assert
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task Top_AfterTraffic_ListsHeaviestUserAgentsAndMetricsNameThem()
    {
        // Arrange
        await using var proxy = await StartProxyAsync(o => o.Throttling.Rules.Add(TestRules.TokenBucket("bad", "bad-agent", rate: 0.001, burst: 2)));
        using var client = new ThrottlingClient(proxy.Address);
        for (var i = 0; i < 6; i++)
        {
            await client.StatusAsync("/api/v1/pods", "bad-agent/1.0");
        }

        await client.StatusAsync("/api/v1/pods", "kubelet/v1.33.1 (linux/amd64) kubernetes/abc");
        await client.StatusAsync("/api/v1/pods", "");

        // Act
        using var top = await client.SendAsync("GET", "/apicache/v1/top?limit=3", "operator/1.0");
        var json = await top.Content.ReadAsStringAsync();
        var metrics = await MetricLinesAsync(client, "apicache_throttle_requests_total{");

        // Assert
        Assert.Equal(HttpStatusCode.OK, top.StatusCode);
        using var document = JsonDocument.Parse(json);
        var agents = document.RootElement.GetProperty("userAgents").EnumerateArray()
            .Select(e => (e.GetProperty("userAgent").GetString(), e.GetProperty("requests").GetInt64(), e.GetProperty("rejections").GetInt64()))
            .ToList();
        Assert.Equal(60, document.RootElement.GetProperty("windowSeconds").GetInt32());
        // Ties sort by product; the empty product (no User-Agent) is shown as "unknown".
        Assert.Equal([("bad-agent", 6L, 4L), ("unknown", 1L, 0L), ("kubelet", 1L, 0L)], agents);
        Assert.Contains("apicache_throttle_requests_total{decision=\"allowed\",rule=\"bad\",user_agent=\"bad-agent\",verb=\"list\"} 2", metrics);
        Assert.Contains("apicache_throttle_requests_total{decision=\"rejected\",rule=\"bad\",user_agent=\"bad-agent\",verb=\"list\"} 4", metrics);
        Assert.Contains("apicache_throttle_requests_total{decision=\"allowed\",rule=\"\",user_agent=\"kubelet\",verb=\"list\"} 1", metrics);
        Assert.Contains("apicache_throttle_requests_total{decision=\"allowed\",rule=\"\",user_agent=\"unknown\",verb=\"list\"} 1", metrics);
    }

    /// <summary>The JSON structure without values: property names in order, nested.</summary>
    private static string Shape(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject().Select(p => p.Name + ":" + Shape(p.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", element.EnumerateArray().Select(Shape)) + "]",
        _ => element.ValueKind.ToString(),
    };

    private static async Task<IReadOnlyList<string>> MetricLinesAsync(ThrottlingClient client, string prefix)
    {
        using var response = await client.SendAsync("GET", "/metrics", "prometheus/2.0");
        var text = await response.Content.ReadAsStringAsync();
        return [.. text.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal))];
    }

    private Task<LoopbackServer> StartProxyAsync(Action<ApiCacheOptions> configure, TimeProvider? clock = null) =>
        LoopbackServer.StartAsync(
            app => app.MapApiCache(),
            services =>
            {
                if (clock is not null)
                {
                    services.AddSingleton(clock);
                }

                services.AddApiCache(options =>
                {
                    ProxyHost.ForwardingOnly(options);
                    options.Upstream.Servers.Add(new UpstreamServerOptions { Url = _upstream.Address.ToString() });
                    options.Security.Mode = SecurityMode.Trusted; // /apicache/v1/top is open without authenticated callers
                    configure(options);
                });
            });
}
