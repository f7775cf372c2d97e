using System.Net;
using System.Net.Http.Headers;
using ApiCache.Configuration;
using ApiCache.Tests.Infrastructure;
using ApiCache.Tests.Security.Authentication;

namespace ApiCache.Tests.Security.Forwarding;

/// <summary>
/// Front-proxy identity forwarding: forwarded requests go over a connection that presents the
/// front-proxy client certificate (and no token) with <c>X-Remote-*</c> headers, while the proxy's
/// own requests (TokenReviews) keep its own credentials; the options are validated.
/// </summary>
public sealed class FrontProxyForwardingTests : IAsyncLifetime, IDisposable
{
    private readonly TestPki _pki = new();
    private readonly TempDirectory _directory = new();
    private TokenReviewingUpstream _upstream = null!;

    public async Task InitializeAsync()
    {
        _upstream = await TokenReviewingUpstream.StartAsync(_pki);
        _upstream.Tokens["carol-token"] = new ReviewedUser(
            "carol",
            "carol-uid",
            ["team-a", "team-b", "system:authenticated"],
            new Dictionary<string, string[]> { ["example.org/team"] = ["x", "y"] });
    }

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    public void Dispose()
    {
        _pki.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task Forward_FrontProxyMode_PresentsTheFrontProxyCertificateWithRemoteHeaders()
    {
        // Arrange
        using var frontProxy = _pki.IssueClient("front-proxy-client");
        var (certificateFile, keyFile) = TestPki.WritePem(frontProxy, _directory, "front-proxy");
        await using var proxy = await AuthenticatingProxy.StartAsync(_upstream, options =>
        {
            options.Security.Forwarding.Mode = IdentityForwardingMode.FrontProxy;
            options.Security.Forwarding.FrontProxyCertificateFile = certificateFile;
            options.Security.Forwarding.FrontProxyKeyFile = keyFile;
        });
        using var client = new HttpClient { BaseAddress = proxy.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/pods");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "carol-token");
        request.Headers.TryAddWithoutValidation("X-Remote-User", "admin");
        request.Headers.TryAddWithoutValidation("X-Remote-Group", "system:masters");

        // Act
        using var response = await client.SendAsync(request);

        // Assert: the review went with the proxy's own token and no certificate ...
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var review = Assert.Single(_upstream.Reviews);
        Assert.Null(review.ClientCertificateName);
        Assert.Equal(["Bearer " + TokenReviewingUpstream.ProxyToken], review.Values("Authorization"));

        // ... the forwarded request with the front-proxy certificate, no token, and the caller's identity as X-Remote-*.
        var forwarded = Assert.Single(_upstream.Forwarded);
        Assert.Equal("front-proxy-client", forwarded.ClientCertificateName);
        Assert.Empty(forwarded.Values("Authorization"));
        Assert.Equal(["carol"], forwarded.Values("X-Remote-User"));
        Assert.Equal(["team-a", "team-b"], forwarded.Values("X-Remote-Group"));
        Assert.Equal(["x", "y"], forwarded.Values("X-Remote-Extra-example.org%2Fteam"));
        Assert.Empty(forwarded.NamesStartingWith("Impersonate-"));
        Assert.Empty(forwarded.NamesStartingWith("X-Apicache-"));
    }

    [Fact]
    public void Validate_FrontProxyWithoutFiles_FailsNamingBothKeys()
    {
        var options = new ApiCacheOptions();
        options.Security.Forwarding.Mode = IdentityForwardingMode.FrontProxy;
        options.Security.Forwarding.FrontProxyCertificateFile = "/nonexistent/front-proxy.crt";

        var failures = Failures(options);

        Assert.Equal(
            ["ApiCache:Security:Forwarding:Mode is FrontProxy, so ApiCache:Security:Forwarding:FrontProxyCertificateFile and ApiCache:Security:Forwarding:FrontProxyKeyFile must both be set (the client certificate the upstream trusts through --requestheader-client-ca-file, and its key)."],
            failures);
    }

    [Fact]
    public void Validate_FrontProxyFileMissing_FailsNamingTheFile()
    {
        var options = new ApiCacheOptions();
        options.Security.Forwarding.Mode = IdentityForwardingMode.FrontProxy;
        options.Security.Forwarding.FrontProxyCertificateFile = "/nonexistent/front-proxy.crt";
        options.Security.Forwarding.FrontProxyKeyFile = _directory.Write("front-proxy.key", "key");

        var failures = Failures(options);

        Assert.Equal(["ApiCache:Security:Forwarding:FrontProxyCertificateFile '/nonexistent/front-proxy.crt' does not exist; fix the path or create the file."], failures);
    }

    [Fact]
    public void Validate_TrustedMode_IgnoresForwardingAndAuthenticationSettings()
    {
        var options = new ApiCacheOptions();
        options.Security.Mode = SecurityMode.Trusted;
        options.Security.Forwarding.Mode = IdentityForwardingMode.FrontProxy;
        options.Security.Authentication.TokenCacheSize = 0;

        Assert.Empty(Failures(options));
    }

    [Fact]
    public void Validate_BadTokenCacheSettings_Fail()
    {
        var options = new ApiCacheOptions();
        options.Security.Authentication.TokenCacheSize = 0;
        options.Security.Authentication.TokenFailureTtl = TimeSpan.FromSeconds(-1);

        var failures = Failures(options);

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("ApiCache:Security:Authentication:TokenSuccessTtl and TokenFailureTtl must not be negative", StringComparison.Ordinal));
        Assert.Contains("ApiCache:Security:Authentication:TokenCacheSize must be at least 1 (got 0).", failures);
    }

    private static List<string> Failures(ApiCacheOptions options)
    {
        var result = new ApiCacheOptionsValidator().Validate(null, options);
        return result.Failed ? [.. result.Failures!] : [];
    }
}
