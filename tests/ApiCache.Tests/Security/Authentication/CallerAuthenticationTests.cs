using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ApiCache.Security;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Tests.Security.Authentication;

/// <summary>
/// Callers of the authenticating proxy: bearer tokens checked with TokenReview, anonymous requests,
/// the apiserver's 401, open health probes, and authentication in front of metrics and admin
/// endpoints, on a WebApplication and on a route group.
/// </summary>
public sealed class CallerAuthenticationTests : IAsyncLifetime
{
    private TokenReviewingUpstream _upstream = null!;

    public async Task InitializeAsync()
    {
        _upstream = await TokenReviewingUpstream.StartWithAliceAsync();
    }

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Theory]
    [InlineData("04-err-401-bad-token", "/api/v1/pods")]
    [InlineData("04-err-401-bad-token-watch", "/api/v1/pods?watch=1")]
    public async Task Request_BadToken_Answers401ExactlyAsTheFixture(string fixture, string target)
    {
        // Arrange
        await using var proxy = await AuthenticatingProxy.StartAsync(_upstream);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        var expected = FixtureUpstream.Fixture(fixture);

        // Act
        using var response = await SendAsync(client, target, "bad-token");
        var body = await response.Content.ReadAsByteArrayAsync();

        // Assert: status, body and every header but Date and Audit-Id's value, nothing more.
        Assert.Equal(expected.StatusCode, (int)response.StatusCode);
        Assert.Equal(Encoding.UTF8.GetString(expected.Body), Encoding.UTF8.GetString(body));
        var actual = Headers(response).Where(h => h.Key is not ("Date" or "Audit-Id")).ToList();
        var wanted = expected.Headers.Where(h => h.Key is not ("Date" or "Audit-Id")).ToList();
        Assert.Equal(wanted.OrderBy(h => h.Key, StringComparer.Ordinal), actual.OrderBy(h => h.Key, StringComparer.Ordinal));
        Assert.True(response.Headers.Contains("Audit-Id"));
        Assert.Empty(_upstream.Forwarded);
    }

    [Fact]
    public async Task Request_ValidToken_IsForwardedAsTheReviewedUserWithoutTheCallersToken()
    {
        // Arrange
        await using var proxy = await AuthenticatingProxy.StartAsync(_upstream);
        using var client = new HttpClient { BaseAddress = proxy.Address };

        // Act
        using var response = await SendAsync(client, "/api/v1/pods", "alice-token");

        // Assert: the review is fixture 09-tokenreview-alice's request, sent with the proxy's own token.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var review = Assert.Single(_upstream.Reviews);
        Assert.Equal("""{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"alice-token"}}""", review.Body);
        Assert.Equal(["Bearer " + TokenReviewingUpstream.ProxyToken], review.Values("Authorization"));
        var forwarded = Assert.Single(_upstream.Forwarded);
        Assert.Equal(["Bearer " + TokenReviewingUpstream.ProxyToken], forwarded.Values("Authorization"));
        Assert.Equal(["alice"], forwarded.Values("Impersonate-User"));
        Assert.Equal(["alice-uid"], forwarded.Values("Impersonate-Uid"));
        Assert.Equal(["developers"], forwarded.Values("Impersonate-Group"));
    }

    [Fact]
    public async Task Request_AudiencesConfigured_TheReviewAsksForThemAndAnotherAudienceIsRejected()
    {
        // Arrange: the upstream grants the audiences asked for; the second proxy wants an audience the token lacks.
        await using var proxy = await AuthenticatingProxy.StartAsync(_upstream, options => options.Security.Authentication.Audiences.Add("apicache"));
        using var client = new HttpClient { BaseAddress = proxy.Address };

        _upstream.Tokens["other-audience-token"] = new ReviewedUser("bob", "", []);

        // Act
        using var response = await SendAsync(client, "/api/v1/pods", "alice-token");
        _upstream.GrantedAudiences = ["https://kubernetes.default.svc.cluster.local"];
        using var otherAudience = await SendAsync(client, "/api/v1/pods", "other-audience-token");

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherAudience.StatusCode);
        Assert.Equal(
            """{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"alice-token","audiences":["apicache"]}}""",
            _upstream.Reviews[0].Body);
        Assert.Single(_upstream.Forwarded);
    }

    [Fact]
    public async Task Request_NoCredentialsAnonymousOff_Answers401()
    {
        // Arrange
        await using var proxy = await AuthenticatingProxy.StartAsync(_upstream);
        using var client = new HttpClient { BaseAddress = proxy.Address };

        // Act
        using var response = await SendAsync(client, "/api/v1/pods", token: null);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(FixtureUpstream.FixtureText("04-err-401-bad-token"), await response.Content.ReadAsStringAsync());
        Assert.Empty(_upstream.Forwarded);
        Assert.Empty(_upstream.Reviews);
    }

    [Fact]
    public async Task Request_NoCredentialsAnonymousOn_IsForwardedAsSystemAnonymous()
    {
        // Arrange: a Basic Authorization header is no bearer token: ignored, as the apiserver does.
        await using var proxy = await AuthenticatingProxy.StartAsync(_upstream, options => options.Security.Authentication.Anonymous = true);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/pods");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");

        // Act
        using var plain = await SendAsync(client, "/api/v1/pods", token: null);
        using var basic = await client.SendAsync(request);
        using var bad = await SendAsync(client, "/api/v1/pods", "bad-token");

        // Assert: an invalid token is 401 even with anonymous requests allowed.
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, basic.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.Equal(2, _upstream.Forwarded.Count);
        Assert.All(_upstream.Forwarded, forwarded =>
        {
            Assert.Equal(["system:anonymous"], forwarded.Values("Impersonate-User"));
            Assert.Empty(forwarded.Values("Impersonate-Group")); // the upstream adds system:unauthenticated itself
            Assert.Equal(["Bearer " + TokenReviewingUpstream.ProxyToken], forwarded.Values("Authorization"));
        });
    }

    [Fact]
    public async Task HealthProbes_NoCredentials_AreOpen()
    {
        // Arrange
        await using var proxy = await AuthenticatingProxy.StartAsync(_upstream);
        using var client = new HttpClient { BaseAddress = proxy.Address };

        // Act
        using var healthz = await SendAsync(client, "/healthz", token: null);
        using var livez = await SendAsync(client, "/livez/ping", token: null);
        using var readyz = await SendAsync(client, "/readyz?verbose", token: null);

        // Assert
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal(HttpStatusCode.OK, livez.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readyz.StatusCode);
        Assert.Empty(_upstream.Reviews);
    }

    [Fact]
    public async Task MetricsAndAdmin_NoCredentials_Answer401AndTheMetricsCountAuthentications()
    {
        // Arrange
        await using var proxy = await AuthenticatingProxy.StartAsync(_upstream, options =>
        {
            options.Metrics.Enabled = true;
            options.Throttling.Admin.Enabled = true;
            options.Throttling.Admin.ClientCertificateCommonNames = ["ops-admin"];
        });
        using var client = new HttpClient { BaseAddress = proxy.Address };

        // Act
        using var metricsAnonymous = await SendAsync(client, "/metrics", token: null);
        using var adminAnonymous = await SendAsync(client, "/apicache/v1/throttles", token: null);
        using var bad = await SendAsync(client, "/api/v1/pods", "bad-token");
        using var first = await SendAsync(client, "/api/v1/pods", "alice-token");
        using var metrics = await SendAsync(client, "/metrics", "alice-token");
        var text = await metrics.Content.ReadAsStringAsync();

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, metricsAnonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, adminAnonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("apicache_authentication_total{method=\"anonymous\",result=\"failure\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("apicache_authentication_total{method=\"token\",result=\"failure\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("apicache_authentication_total{method=\"token\",result=\"success\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("apicache_token_review_cache_total{result=\"miss\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("apicache_token_review_cache_total{result=\"hit\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapApiCache_OnARouteGroup_AuthenticatesInsideEachEndpoint()
    {
        // Arrange: not an application builder, so no middleware: the endpoints themselves authenticate.
        await using var proxy = await AuthenticatingProxy.StartAsync(
            _upstream,
            options => options.Metrics.Enabled = true,
            map: app => app.MapGroup("").MapApiCache());
        using var client = new HttpClient { BaseAddress = proxy.Address };

        // Act
        using var anonymous = await SendAsync(client, "/api/v1/pods", token: null);
        using var metricsAnonymous = await SendAsync(client, "/metrics", token: null);
        using var healthz = await SendAsync(client, "/healthz", token: null);
        using var alice = await SendAsync(client, "/api/v1/pods", "alice-token");

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, metricsAnonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alice.StatusCode);
        Assert.Equal(["alice"], Assert.Single(_upstream.Forwarded).Values("Impersonate-User"));
    }

    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer abc", "abc")]
    [InlineData("  Bearer abc  ", "abc")]
    [InlineData("Bearer abc extra", "abc")]
    [InlineData("Bearer  abc", null)]
    [InlineData("Bearer", null)]
    [InlineData("Basic dXNlcjpwYXNz", null)]
    [InlineData("", null)]
    public void BearerToken_AuthorizationHeader_IsReadAsTheApiserverReadsIt(string header, string? expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = header;

        Assert.Equal(expected, CallerAuthenticationMiddleware.BearerToken(context.Request));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string target, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.Accept.ParseAdd("application/json");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request);
    }

    private static List<KeyValuePair<string, string>> Headers(HttpResponseMessage response) =>
        [.. response.Headers.Concat(response.Content.Headers).Select(h => new KeyValuePair<string, string>(h.Key, string.Join(", ", h.Value)))];
}
