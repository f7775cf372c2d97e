using System.Text.Json.Nodes;
using ApiCache.Configuration;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Security.Authorization;

/// <summary>
/// ApiCache's own endpoints with authenticated callers: the throttling admin endpoints and
/// <c>/apicache/v1/top</c> need an allowed non-resource review of the path with the lower-cased
/// HTTP method (401 without a caller in the Authenticate mode, 403 in the apiserver's wording when
/// denied, 503 when no decision can be had), and the metrics endpoint a review of get on its path
/// when <c>Authorization:Metrics</c> is on.
/// </summary>
public sealed class EndpointAuthorizationTests : IAsyncLifetime
{
    private const string Rule = """{"userAgent":{"product":"bad-agent"},"verbs":["list","watch"],"resources":["pods"],"limiter":{"type":"TokenBucket","rate":0.001,"burst":1}}""";

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
    public async Task AdminEndpoints_AuthenticateModeWithoutCaller_Answer401()
    {
        // Arrange: the admin endpoint on with no token file or certificate names (SubjectAccessReviews decide in this mode).
        await using var proxy = await StartAsync(o =>
        {
            o.Security.Mode = SecurityMode.Authenticate;
            o.Upstream.Servers[0].BearerToken = "apicache-token"; // authenticating needs the proxy's own identity upstream
            o.Throttling.Admin.Enabled = true;
        });

        // Act
        var throttles = await proxy.GetAsync("/apicache/v1/throttles", token: null);
        var top = await proxy.GetAsync("/apicache/v1/top", token: null);

        // Assert
        Assert.Equal((401, FixtureUpstream.FixtureText("04-err-401-bad-token")), (throttles.Status, throttles.Body));
        Assert.Equal(401, top.Status);
        Assert.Empty(Upstream.Reviews);
    }

    [Fact]
    public async Task AdminEndpoints_CallerDenied_Answer403InTheApiserverWording()
    {
        // Arrange
        await using var proxy = await StartAsync(AdminOn);

        // Act
        var get = await proxy.GetAsync("/apicache/v1/throttles", "alice-token");
        var put = await proxy.SendAsync(HttpMethod.Put, "/apicache/v1/throttles/bad-agent", "alice-token", Rule);
        var top = await proxy.GetAsync("/apicache/v1/top", "anonymous");

        // Assert
        Assert.Equal((403, Forbidden("alice", "get", "/apicache/v1/throttles")), (get.Status, get.Body));
        Assert.Equal((403, Forbidden("alice", "put", "/apicache/v1/throttles/bad-agent")), (put.Status, put.Body));
        Assert.Equal((403, Forbidden("system:anonymous", "get", "/apicache/v1/top")), (top.Status, top.Body));
        Assert.Equal(("nosniff", "no-cache, private"), (put.Header("X-Content-Type-Options"), put.Header("Cache-Control")));
        Assert.Equal(
            [
                """{"path":"/apicache/v1/throttles","verb":"get"}""",
                """{"path":"/apicache/v1/throttles/bad-agent","verb":"put"}""",
                """{"path":"/apicache/v1/top","verb":"get"}""",
            ],
            Upstream.Reviews.Select(r => r["nonResourceAttributes"]!.ToJsonString()));
        var rules = await proxy.GetAsync("/apicache/v1/throttles", "admin-token");
        Assert.Equal(200, rules.Status);
        Assert.DoesNotContain("bad-agent", rules.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminEndpoints_CallerAllowed_CanReadAndChangeTheRules()
    {
        // Arrange
        await using var proxy = await StartAsync(AdminOn);

        // Act
        var put = await proxy.SendAsync(HttpMethod.Put, "/apicache/v1/throttles/bad-agent", "admin-token", Rule);
        var get = await proxy.GetAsync("/apicache/v1/throttles/bad-agent", "admin-token");
        var top = await proxy.GetAsync("/apicache/v1/top", "admin-token");
        var delete = await proxy.SendAsync(HttpMethod.Delete, "/apicache/v1/throttles/bad-agent", "admin-token");

        // Assert
        Assert.Equal(201, put.Status);
        Assert.Equal((200, "bad-agent"), (get.Status, (string?)JsonNode.Parse(get.Body)!["userAgent"]!["product"]));
        Assert.Equal(200, top.Status);
        Assert.Equal(200, delete.Status);
        Assert.Equal(
            ["put /apicache/v1/throttles/bad-agent", "get /apicache/v1/throttles/bad-agent", "get /apicache/v1/top", "delete /apicache/v1/throttles/bad-agent"],
            Upstream.Reviews.Select(r => $"{r["nonResourceAttributes"]!["verb"]} {r["nonResourceAttributes"]!["path"]}"));
        Assert.All(Upstream.Reviews, r => Assert.Equal("admin", (string?)r["user"]));
    }

    [Fact]
    public async Task AdminEndpoints_ReviewUnavailable_Answer503()
    {
        // Arrange
        await using var proxy = await StartAsync(AdminOn);
        Upstream.FailReviews = true;

        // Act
        var answer = await proxy.GetAsync("/apicache/v1/throttles", "admin-token");

        // Assert
        Assert.Equal(503, answer.Status);
        Assert.Equal("ServiceUnavailable", (string?)JsonNode.Parse(answer.Body)!["reason"]);
    }

    [Fact]
    public async Task RuleEndpoints_AdminOff_AllowedCallerGets404AndTopStillNeedsAReview()
    {
        // Arrange
        await using var proxy = await StartAsync(_ => { });

        // Act
        var throttles = await proxy.GetAsync("/apicache/v1/throttles", "admin-token");
        var top = await proxy.GetAsync("/apicache/v1/top", "admin-token");
        var deniedTop = await proxy.GetAsync("/apicache/v1/top", "alice-token");

        // Assert
        Assert.Equal(404, throttles.Status);
        Assert.Contains("the throttling admin endpoint is off", throttles.Body, StringComparison.Ordinal);
        Assert.Equal(200, top.Status);
        Assert.Equal(403, deniedTop.Status);
        Assert.Equal(3, Upstream.Reviews.Count);
    }

    [Fact]
    public async Task AdminEndpoints_TrustedModeWithoutCaller_KeepTheConfiguredIdentities()
    {
        // Arrange: no caller, so the certificate names decide; without a certificate that is 401.
        await using var proxy = await StartAsync(AdminOn);

        // Act
        var answer = await proxy.GetAsync("/apicache/v1/throttles", token: null);

        // Assert
        Assert.Equal(401, answer.Status);
        Assert.Empty(Upstream.Reviews);
    }

    [Fact]
    public async Task Metrics_AuthorizationOn_NeedsAnAllowedGetOfItsPath()
    {
        // Arrange
        await using var proxy = await StartAsync(o => o.Security.Authorization.Metrics = true);

        // Act
        var denied = await proxy.GetAsync("/metrics", "alice-token");
        var allowed = await proxy.GetAsync("/metrics", "admin-token");
        var noCallerTrusted = await proxy.GetAsync("/metrics", token: null);

        // Assert
        Assert.Equal((403, Forbidden("alice", "get", "/metrics")), (denied.Status, denied.Body));
        Assert.Equal(200, allowed.Status);
        Assert.Contains("apicache_authorization_decisions_total{", allowed.Body, StringComparison.Ordinal);
        Assert.Equal(200, noCallerTrusted.Status);
        Assert.Equal(["alice get /metrics", "admin get /metrics"], Upstream.Reviews.Select(r => $"{r["user"]} {r["nonResourceAttributes"]!["verb"]} {r["nonResourceAttributes"]!["path"]}"));
    }

    [Fact]
    public async Task Metrics_AuthorizationOnInAuthenticateModeWithoutCaller_Answers401()
    {
        // Arrange
        await using var proxy = await StartAsync(o =>
        {
            o.Security.Mode = SecurityMode.Authenticate;
            o.Upstream.Servers[0].BearerToken = "apicache-token"; // authenticating needs the proxy's own identity upstream
            o.Security.Authorization.Metrics = true;
        });

        // Act
        var answer = await proxy.GetAsync("/metrics", token: null);

        // Assert
        Assert.Equal(401, answer.Status);
    }

    [Fact]
    public async Task Metrics_AuthorizationOff_IsNotReviewed()
    {
        // Arrange
        await using var proxy = await StartAsync(_ => { });

        // Act
        var answer = await proxy.GetAsync("/metrics", "alice-token");

        // Assert
        Assert.Equal(200, answer.Status);
        Assert.Empty(Upstream.Reviews);
    }

    /// <summary>The admin endpoint on, in the Trusted mode (which needs a configured identity; the test's callers are reviewed instead).</summary>
    private static void AdminOn(ApiCacheOptions options)
    {
        options.Throttling.Admin.Enabled = true;
        options.Throttling.Admin.ClientCertificateCommonNames = ["ops-admin"];
    }

    private static string Forbidden(string user, string verb, string path) =>
        $$$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User \"{{{user}}}\" cannot {{{verb}}} path \"{{{path}}}\"","reason":"Forbidden","details":{},"code":403}""" + "\n";

    private Task<AuthorizingProxy> StartAsync(Action<ApiCacheOptions> configure) =>
        AuthorizingProxy.StartAsync(Upstream, o =>
        {
            o.Cache.Enabled = false;
            configure(o);
        });
}
