using System.Net;
using System.Net.Http.Headers;
using ApiCache.Configuration;
using ApiCache.Tests.Infrastructure;
using ApiCache.Tests.Security.Authentication;

namespace ApiCache.Tests.Security.Forwarding;

/// <summary>
/// What forwarded requests tell the upstream about the caller: impersonation headers (one line per
/// group and extra value, extra keys percent-encoded) in authenticating mode, callers' own identity
/// headers never passed on as sent, and trusted mode unchanged.
/// </summary>
public sealed class IdentityForwardingTests : IAsyncLifetime, IDisposable
{
    private readonly TestPki _pki = new();
    private TokenReviewingUpstream _upstream = null!;

    public async Task InitializeAsync()
    {
        // HTTPS, so the proxy can speak HTTP/2 to it (ALPN), as to a real apiserver.
        _upstream = await TokenReviewingUpstream.StartWithAliceAsync(_pki);
        _upstream.Tokens["carol-token"] = new ReviewedUser(
            "carol",
            "carol-uid",
            ["system:nodes", "team-a", "a,b", "system:authenticated"],
            new Dictionary<string, string[]>
            {
                ["example.org/team"] = ["x", "y"],
                ["scopes"] = ["view"],
                ["100%"] = ["yes"],
            });
    }

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task Forward_ImpersonateMode_SendsOneLinePerGroupAndExtraValueWithEncodedKeys()
    {
        // Arrange
        await using var proxy = await AuthenticatingProxy.StartAsync(_upstream);
        using var client = new HttpClient { BaseAddress = proxy.Address };

        // Act
        using var response = await client.SendAsync(Request("carol-token"));

        // Assert: every group intact (the comma too), system:authenticated left to the upstream; no marker names leak.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(_upstream.Forwarded);
        Assert.Equal(["carol"], forwarded.Values("Impersonate-User"));
        Assert.Equal(["carol-uid"], forwarded.Values("Impersonate-Uid"));
        Assert.Equal(["system:nodes", "team-a", "a,b"], forwarded.Values("Impersonate-Group"));
        Assert.Equal(["x", "y"], forwarded.Values("Impersonate-Extra-example.org%2Fteam"));
        Assert.Equal(["view"], forwarded.Values("Impersonate-Extra-scopes"));
        Assert.Equal(["yes"], forwarded.Values("Impersonate-Extra-100%25"));
        Assert.Equal(["Bearer " + TokenReviewingUpstream.ProxyToken], forwarded.Values("Authorization"));
        Assert.Empty(forwarded.NamesStartingWith("X-Apicache-"));
        Assert.Equal("HTTP/1.1", forwarded.Protocol);
    }

    [Fact]
    public async Task Forward_OneGroupToSend_StaysOnHttp2()
    {
        // Arrange
        await using var proxy = await AuthenticatingProxy.StartAsync(_upstream);
        using var client = new HttpClient { BaseAddress = proxy.Address };

        // Act
        using var response = await client.SendAsync(Request("alice-token"));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(_upstream.Forwarded);
        Assert.Equal("HTTP/2", forwarded.Protocol);
        Assert.Equal(["developers"], forwarded.Values("Impersonate-Group"));
    }

    [Fact]
    public async Task Forward_CallersSpoofedRemoteHeaders_NeverReachTheUpstream()
    {
        // Arrange
        await using var proxy = await AuthenticatingProxy.StartAsync(_upstream);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        using var request = Request("alice-token");
        request.Headers.TryAddWithoutValidation("X-Remote-User", "admin");
        request.Headers.TryAddWithoutValidation("X-Remote-Group", "system:masters");
        request.Headers.TryAddWithoutValidation("x-remote-extra-scopes", "all");

        // Act
        using var response = await client.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(_upstream.Forwarded);
        Assert.Empty(forwarded.NamesStartingWith("X-Remote-"));
        Assert.Equal(["alice"], forwarded.Values("Impersonate-User"));
    }

    [Fact]
    public async Task Forward_TrustedWithoutOwnCredentials_PassesTheCallersCredentialsAndImpersonationUnchanged()
    {
        // Arrange: the upstream checks the caller's own token and impersonation itself.
        await using var upstream = await TokenReviewingUpstream.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(upstream.Address);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        using var request = Request("caller-token");
        request.Headers.TryAddWithoutValidation("Impersonate-User", "bob");
        request.Headers.TryAddWithoutValidation("Impersonate-Group", "g1");
        request.Headers.TryAddWithoutValidation("Impersonate-Extra-Scopes", "view");
        request.Headers.TryAddWithoutValidation("X-Remote-User", "admin");

        // Act
        using var response = await client.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(upstream.Forwarded);
        Assert.Equal(["Bearer caller-token"], forwarded.Values("Authorization"));
        Assert.Equal(["bob"], forwarded.Values("Impersonate-User"));
        Assert.Equal(["g1"], forwarded.Values("Impersonate-Group"));
        Assert.Equal(["view"], forwarded.Values("Impersonate-Extra-Scopes"));
        Assert.Empty(forwarded.NamesStartingWith("X-Remote-"));
        Assert.Empty(upstream.Reviews);
    }

    [Fact]
    public async Task Forward_TrustedWithOwnCredentials_DropsTheCallersCredentialsAndImpersonation()
    {
        // Arrange: the proxy's own token must not let a caller impersonate anyone.
        await using var proxy = await ProxyHost.StartAsync(_upstream.Address, options =>
        {
            options.Upstream.Servers.Clear();
            options.Upstream.Servers.Add(_upstream.ServerOptions());
        });
        using var client = new HttpClient { BaseAddress = proxy.Address };
        using var request = Request("caller-token");
        request.Headers.TryAddWithoutValidation("Impersonate-User", "system:admin");
        request.Headers.TryAddWithoutValidation("Impersonate-Group", "system:masters");
        request.Headers.TryAddWithoutValidation("Impersonate-Uid", "0");

        // Act
        using var response = await client.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(_upstream.Forwarded);
        Assert.Equal(["Bearer " + TokenReviewingUpstream.ProxyToken], forwarded.Values("Authorization"));
        Assert.Empty(forwarded.NamesStartingWith("Impersonate-"));
        Assert.Empty(_upstream.Reviews);
    }

    [Fact]
    public async Task Start_AuthenticateWithoutUpstreamCredentials_FailsNamingTheKeys()
    {
        // Arrange
        await using var upstream = await TokenReviewingUpstream.StartAsync();

        // Act
        var error = await Assert.ThrowsAsync<ApiCacheConfigurationException>(() => ProxyHost.StartAsync(
            upstream.Address,
            options => options.Security.Mode = SecurityMode.Authenticate));

        // Assert
        Assert.StartsWith("ApiCache:Security:Mode is Authenticate (the default), but the upstream", error.Message, StringComparison.Ordinal);
        Assert.Contains("BearerToken, BearerTokenFile or ClientCertificateFile", error.Message, StringComparison.Ordinal);
        Assert.Contains("ApiCache:Security:Mode to Trusted", error.Message, StringComparison.Ordinal);
    }

    private static HttpRequestMessage Request(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/pods");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
