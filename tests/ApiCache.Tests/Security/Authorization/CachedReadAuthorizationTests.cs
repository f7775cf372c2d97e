using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ApiCache.Configuration;
using ApiCache.Serving;
using ApiCache.Tests.DevServer.Differential;
using ApiCache.Tests.Infrastructure;
using ApiCache.Tests.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Security.Authorization;

/// <summary>
/// Reads answered from a warm cache through a real proxy are authorized first with a
/// SubjectAccessReview against the upstream (which answers by the fixtures' policy and counts them):
/// allowed ones are served from the cache, denied ones get the apiserver's exact 403 and no object,
/// selectors are sent, unavailable reviews are forwarded, decisions change after their TTL, and a
/// denial comes before the cold-cache 429.
/// </summary>
public sealed class CachedReadAuthorizationTests : IAsyncLifetime
{
    private AccessReviewingUpstream? _upstream;

    private AccessReviewingUpstream Upstream => _upstream!;

    public async Task InitializeAsync() => _upstream = await AccessReviewingUpstream.StartAsync();

    public async Task DisposeAsync()
    {
        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }
    }

    [Fact]
    public async Task Reads_Allowed_AreServedFromTheCacheAfterOneReviewEach()
    {
        // Arrange
        await using var proxy = await AuthorizingProxy.StartAsync(Upstream);
        var before = await CacheReadCounters.ScrapeAsync(proxy.Client);

        // Act
        var list = await proxy.GetAsync("/api/v1/namespaces/team-a/pods", "alice-token");
        var get = await proxy.GetAsync("/api/v1/namespaces/team-a/pods/web-1", "alice-token");
        var again = await proxy.GetAsync("/api/v1/namespaces/team-a/pods/web-1", "alice-token");
        var firstEvent = await FirstWatchLineAsync(proxy, "/api/v1/namespaces/team-a/pods?watch=1&resourceVersion=0", "alice-token");
        var after = await CacheReadCounters.ScrapeAsync(proxy.Client);

        // Assert
        Assert.Equal(200, list.Status);
        Assert.Equal(["web-1", "web-2"], JsonNode.Parse(list.Body)!["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]));
        Assert.Equal(200, get.Status);
        Assert.Equal("web-1", (string?)JsonNode.Parse(get.Body)!["metadata"]!["name"]);
        Assert.Equal(get.Body, again.Body);
        Assert.Equal((HttpStatusCode.OK, "ADDED"), (firstEvent.Status, (string?)JsonNode.Parse(firstEvent.Line)!["type"]));
        var diff = before.Until(after);
        Assert.Equal(1, diff.FromCache("pods", "list"));
        Assert.Equal(2, diff.FromCache("pods", "get"));
        Assert.Equal(0, diff.Get("forwarded"));
        Assert.Empty(Upstream.ClientRequests);

        // One review per distinct read (the repeated GET used the kept decision), with the read's attributes.
        Assert.Equal(
            ["list team-a ", "get team-a web-1", "watch team-a "],
            Upstream.Reviews.Select(r => $"{r["resourceAttributes"]!["verb"]} {r["resourceAttributes"]!["namespace"]} {r["resourceAttributes"]!["name"]}"));
        Assert.All(Upstream.Reviews, r => Assert.Equal("""{"user":"alice","groups":["developers","system:authenticated"],"uid":"alice-uid"}""", new JsonObject { ["user"] = r["user"]!.DeepClone(), ["groups"] = r["groups"]!.DeepClone(), ["uid"] = r["uid"]!.DeepClone() }.ToJsonString()));
    }

    [Theory]
    [InlineData("04-err-403-alice-get-pod-team-b", "alice-token", "/api/v1/namespaces/team-b/pods/web-1")]
    [InlineData("04-err-403-alice-get-missing-pod-team-b", "alice-token", "/api/v1/namespaces/team-b/pods/nope")]
    [InlineData("04-err-403-alice-list-pods-team-b", "alice-token", "/api/v1/namespaces/team-b/pods")]
    [InlineData("04-err-403-alice-list-pods-cluster-wide", "alice-token", "/api/v1/pods")]
    [InlineData("04-err-403-alice-watch-pods-team-b", "alice-token", "/api/v1/namespaces/team-b/pods?watch=1")]
    [InlineData("04-err-403-node1-list-pods-no-selector", "node1-token", "/api/v1/pods")]
    [InlineData("04-err-403-node1-list-pods-other-node", "node1-token", "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-2")]
    [InlineData("04-err-403-no-credentials-anonymous", "anonymous", "/api/v1/pods")]
    public async Task Read_Denied_Answers403WithTheApiserverWordingAndNoObject(string fixture, string token, string target)
    {
        // Arrange
        await using var proxy = await AuthorizingProxy.StartAsync(Upstream);
        var before = await CacheReadCounters.ScrapeAsync(proxy.Client);

        // Act
        var answer = await proxy.GetAsync(target, token);

        // Assert: the recorded body byte for byte (so no object), the 403 headers, nothing forwarded or served.
        Assert.Equal(403, answer.Status);
        Assert.Equal(FixtureUpstream.FixtureText(fixture), answer.Body);
        Assert.Equal("application/json", answer.Header("Content-Type"));
        Assert.Equal("no-cache, private", answer.Header("Cache-Control"));
        Assert.Equal("nosniff", answer.Header("X-Content-Type-Options"));
        Assert.NotNull(answer.Header("Audit-Id"));
        Assert.Equal(0, before.Until(await CacheReadCounters.ScrapeAsync(proxy.Client)).Total("pods"));
        Assert.Empty(Upstream.ClientRequests);
        Assert.Single(Upstream.Reviews);
    }

    [Fact]
    public async Task NodeList_WithItsFieldSelector_SendsTheRequirementsAndIsServedFromTheCache()
    {
        // Arrange
        await using var proxy = await AuthorizingProxy.StartAsync(Upstream);
        var before = await CacheReadCounters.ScrapeAsync(proxy.Client);

        // Act
        var answer = await proxy.GetAsync("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1", "node1-token");

        // Assert: the review is the recorded one (09-sar-node1-list-pods-fieldSelector-requirements-allowed), the list is node-1's.
        Assert.Equal(200, answer.Status);
        Assert.Equal(["team-a/web-1", "team-b/web-1"], JsonNode.Parse(answer.Body)!["items"]!.AsArray().Select(i => $"{i!["metadata"]!["namespace"]}/{i["metadata"]!["name"]}"));
        var recorded = JsonNode.Parse(FixtureRequest.Load("09-sar-node1-list-pods-fieldSelector-requirements-allowed").Body)!["spec"];
        var sent = Assert.Single(Upstream.Reviews);
        Assert.True(JsonNode.DeepEquals(recorded, sent), $"sent {sent.ToJsonString()}\nrecorded {recorded!.ToJsonString()}");
        Assert.Equal(1, before.Until(await CacheReadCounters.ScrapeAsync(proxy.Client)).FromCache("pods", "list"));
    }

    [Fact]
    public async Task Read_SelectorsOff_SendsNoneAndTheNodeIsDenied()
    {
        // Arrange
        await using var proxy = await AuthorizingProxy.StartAsync(Upstream, o => o.Security.Authorization.Selectors = false);

        // Act
        var answer = await proxy.GetAsync("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1", "node1-token");

        // Assert
        Assert.Equal(403, answer.Status);
        Assert.Null(Assert.Single(Upstream.Reviews)["resourceAttributes"]!["fieldSelector"]);
    }

    [Fact]
    public async Task Read_ReviewUnavailable_IsForwardedCountedAndNotRemembered()
    {
        // Arrange
        await using var proxy = await AuthorizingProxy.StartAsync(Upstream);
        var before = await CacheReadCounters.ScrapeAsync(proxy.Client);
        Upstream.FailReviews = true;

        // Act
        var forwarded = await proxy.GetAsync("/api/v1/namespaces/team-a/pods", "alice-token");
        Upstream.FailReviews = false;
        var served = await proxy.GetAsync("/api/v1/namespaces/team-a/pods", "alice-token");
        var after = await CacheReadCounters.ScrapeAsync(proxy.Client);

        // Assert: the upstream answered the first (it authorizes it with the caller's identity); the second was reviewed again.
        Assert.Equal(200, forwarded.Status);
        Assert.Equal(200, served.Status);
        Assert.Equal(["GET /api/v1/namespaces/team-a/pods"], Upstream.ClientRequests);
        var diff = before.Until(after);
        Assert.Equal(1, diff.Get("forwarded", "pods", "list"));
        Assert.Equal(1, diff.FromCache("pods", "list"));
        Assert.Equal(2, Upstream.Reviews.Count);
        Assert.Contains(after.Text.Split('\n'), l => l.StartsWith("apicache_authorization_decisions_total{", StringComparison.Ordinal)
            && l.Contains("decision=\"unavailable\"", StringComparison.Ordinal) && l.Contains("cached=\"false\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
        Assert.Contains(after.Text.Split('\n'), l => l.StartsWith("apicache_authorization_decisions_total{", StringComparison.Ordinal)
            && l.Contains("decision=\"allowed\"", StringComparison.Ordinal) && l.Contains("cached=\"false\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_DecisionChanges_ObservedOnlyAfterTheTtl()
    {
        // Arrange: the proxy runs on a fake clock; allowed decisions kept 10 s, denied ones 5 s.
        var clock = new FakeClock(DateTimeOffset.UtcNow);
        await using var proxy = await AuthorizingProxy.StartAsync(Upstream, o =>
        {
            o.Security.Authorization.AllowTtl = TimeSpan.FromSeconds(10);
            o.Security.Authorization.DenyTtl = TimeSpan.FromSeconds(5);
        }, clock);
        const string Pods = "/api/v1/namespaces/team-a/pods";

        // Act + Assert: allowed, then the upstream revokes; the kept decision holds until its TTL passes.
        Assert.Equal(200, (await proxy.GetAsync(Pods, "alice-token")).Status);
        Upstream.Rule = _ => (false, "");
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(200, (await proxy.GetAsync(Pods, "alice-token")).Status);
        Assert.Single(Upstream.Reviews);
        clock.Advance(TimeSpan.FromSeconds(1));
        var revoked = await proxy.GetAsync(Pods, "alice-token");
        Assert.Equal((403, 2), (revoked.Status, Upstream.Reviews.Count));
        Assert.Equal("pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"team-a\"", (string?)JsonNode.Parse(revoked.Body)!["message"]);

        // Granted again: the denial is kept for DenyTtl.
        Upstream.Rule = AccessReviewingUpstream.Policy;
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(403, (await proxy.GetAsync(Pods, "alice-token")).Status);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(200, (await proxy.GetAsync(Pods, "alice-token")).Status);
        Assert.Equal(3, Upstream.Reviews.Count);
    }

    [Fact]
    public async Task Read_NoCaller_IsNotReviewed()
    {
        // Arrange: trusted mode without a caller (an embedding host that authorized the request itself).
        await using var proxy = await AuthorizingProxy.StartAsync(Upstream);

        // Act
        var answer = await proxy.GetAsync("/api/v1/namespaces/team-b/pods", token: null);

        // Assert
        Assert.Equal(200, answer.Status);
        Assert.Empty(Upstream.Reviews);
    }

    [Fact]
    public async Task Read_AuthenticateModeWithoutCaller_FailsClosedWith401()
    {
        // Arrange: Authenticate mode, and a request that reaches the cache middleware without an
        // authenticated caller (a host that bypassed the authentication middleware).
        await using var proxy = await AuthorizingProxy.StartAsync(Upstream, o =>
        {
            o.Security.Mode = SecurityMode.Authenticate;
            o.Upstream.Servers[0].BearerToken = "apicache-token";
        });
        var middleware = proxy.Services.GetRequiredService<CachedReadMiddleware>();
        var context = new DefaultHttpContext { RequestServices = proxy.Services };
        context.Request.Method = "GET";
        context.Request.Path = "/api/v1/namespaces/team-b/pods";
        context.Response.Body = new MemoryStream();
        var handedOn = false;

        // Act
        await middleware.InvokeAsync(context, _ =>
        {
            handedOn = true;
            return Task.CompletedTask;
        });

        // Assert
        Assert.False(handedOn);
        Assert.Equal(401, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        Assert.Equal(FixtureUpstream.FixtureText("04-err-401-bad-token"), await new StreamReader(context.Response.Body).ReadToEndAsync());
        Assert.Empty(Upstream.Reviews);
    }

    [Fact]
    public async Task ColdCache_DeniedListAndWatch_Get403Before429()
    {
        // Arrange: an upstream that holds the proxy's initial pods list.
        await using var cold = await AccessReviewingUpstream.StartAsync(holdInitialList: true);
        await using var proxy = await AuthorizingProxy.StartAsync(cold, waitForCache: false);

        // Act
        var deniedList = await proxy.GetAsync("/api/v1/namespaces/team-b/pods", "alice-token");
        var deniedWatch = await proxy.GetAsync("/api/v1/namespaces/team-b/pods?watch=1", "alice-token");
        var allowed = await proxy.GetAsync("/api/v1/namespaces/team-a/pods", "alice-token");
        var coldWhileAsserting = !proxy.Pods.Cache.IsReady;

        // Assert
        Assert.True(coldWhileAsserting);
        Assert.Equal((403, FixtureUpstream.FixtureText("04-err-403-alice-list-pods-team-b")), (deniedList.Status, deniedList.Body));
        Assert.Equal((403, FixtureUpstream.FixtureText("04-err-403-alice-watch-pods-team-b")), (deniedWatch.Status, deniedWatch.Body));
        Assert.Equal(429, allowed.Status);
        Assert.Equal(3, cold.Reviews.Count);
    }

    /// <summary>Starts a watch and reads its first event line (a hang guard bounds it).</summary>
    private static async Task<(HttpStatusCode Status, string Line)> FirstWatchLineAsync(AuthorizingProxy proxy, string target, string token)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(target, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await proxy.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
        var line = await reader.ReadLineAsync(deadline.Token) ?? "";
        return (response.StatusCode, line);
    }
}
