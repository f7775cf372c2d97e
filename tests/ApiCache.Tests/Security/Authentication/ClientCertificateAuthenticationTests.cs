using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace ApiCache.Tests.Security.Authentication;

/// <summary>
/// Client certificates verified by the proxy itself against its client CA file (user = CN, groups =
/// O): the right CA authenticates, another CA does not, and a changed CA file is read again.
/// </summary>
public sealed class ClientCertificateAuthenticationTests : IAsyncLifetime, IDisposable
{
    private readonly TestPki _clientCa = new("client-ca");
    private readonly TestPki _otherCa = new("other-ca");
    private readonly TestPki _servingCa = new("serving-ca");
    private readonly TempDirectory _directory = new();
    private TokenReviewingUpstream _upstream = null!;

    public async Task InitializeAsync()
    {
        _upstream = await TokenReviewingUpstream.StartWithAliceAsync();
    }

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    public void Dispose()
    {
        _clientCa.Dispose();
        _otherCa.Dispose();
        _servingCa.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task ClientCertificate_FromTheClientCa_IsTheUserOfItsCnInTheGroupsOfItsOs()
    {
        // Arrange
        var caFile = _directory.Write("client-ca.crt", _clientCa.CaPem);
        await using var proxy = await StartProxyAsync(caFile, anonymous: false);
        using var certificate = _clientCa.IssueClient("system:node:node-1", "system:nodes");

        // Act
        var status = await GetAsync(proxy.Address, certificate, token: null);

        // Assert
        Assert.Equal(HttpStatusCode.OK, status);
        var forwarded = Assert.Single(_upstream.Forwarded);
        Assert.Equal(["system:node:node-1"], forwarded.Values("Impersonate-User"));
        Assert.Equal(["system:nodes"], forwarded.Values("Impersonate-Group"));
        Assert.Empty(forwarded.Values("Impersonate-Uid"));
        Assert.Empty(_upstream.Reviews);
    }

    [Fact]
    public async Task ClientCertificate_SeveralOrganizations_AreAllGroupsInCertificateOrder()
    {
        // Arrange
        var caFile = _directory.Write("client-ca.crt", _clientCa.CaPem);
        await using var proxy = await StartProxyAsync(caFile, anonymous: false);
        using var certificate = _clientCa.IssueClient("carol", "team-a", "team-b");
        var encodedOrder = certificate.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false)
            .Where(r => r.GetSingleElementType().Value == "2.5.4.10").Select(r => r.GetSingleElementValue()!).ToArray();

        // Act
        var status = await GetAsync(proxy.Address, certificate, token: null);

        // Assert
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["team-a", "team-b"], encodedOrder.Order(StringComparer.Ordinal));
        Assert.Equal(encodedOrder, Assert.Single(_upstream.Forwarded).Values("Impersonate-Group"));
    }

    [Fact]
    public async Task ClientCertificate_FromAnotherCa_IsNoIdentity()
    {
        // Arrange: anonymous requests are allowed, yet a certificate that does not verify fails the request, as in the apiserver.
        var caFile = _directory.Write("client-ca.crt", _clientCa.CaPem);
        await using var proxy = await StartProxyAsync(caFile, anonymous: true);
        using var stranger = _otherCa.IssueClient("admin", "system:masters");

        // Act
        var alone = await GetAsync(proxy.Address, stranger, token: null);
        var withToken = await GetAsync(proxy.Address, stranger, "alice-token");
        var withoutCertificate = await GetAsync(proxy.Address, certificate: null, token: null);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, alone);
        Assert.Equal(HttpStatusCode.OK, withToken);
        Assert.Equal(HttpStatusCode.OK, withoutCertificate);
        Assert.Equal(2, _upstream.Forwarded.Count);
        Assert.Equal(["alice"], _upstream.Forwarded[0].Values("Impersonate-User"));
        Assert.Equal(["system:anonymous"], _upstream.Forwarded[1].Values("Impersonate-User"));
        Assert.DoesNotContain(_upstream.Forwarded, f => f.Values("Impersonate-User").Contains("admin"));
    }

    [Fact]
    public async Task ClientCaFile_Changed_IsReadAgain()
    {
        // Arrange: at first only the other CA is trusted.
        var caFile = _directory.Write("client-ca.crt", _otherCa.CaPem);
        await using var proxy = await StartProxyAsync(caFile, anonymous: false);
        using var certificate = _clientCa.IssueClient("alice", "developers");
        var before = await GetAsync(proxy.Address, certificate, token: null);

        // Act: both CAs now; the modification time moves on for certain.
        File.WriteAllText(caFile, _otherCa.CaPem + "\n" + _clientCa.CaPem + "\n");
        File.SetLastWriteTimeUtc(caFile, DateTime.UtcNow.AddMinutes(1));
        var after = await GetAsync(proxy.Address, certificate, token: null);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, before);
        Assert.Equal(HttpStatusCode.OK, after);
        Assert.Equal(["alice"], Assert.Single(_upstream.Forwarded).Values("Impersonate-User"));
    }

    [Fact]
    public async Task ClientCaFile_BrokenAtStart_FailsStartUpNamingTheKey()
    {
        // Arrange
        var caFile = _directory.Write("broken-ca.crt", "not a certificate");

        // Act
        var error = await Assert.ThrowsAsync<ApiCache.Configuration.ApiCacheConfigurationException>(() => StartProxyAsync(caFile, anonymous: false));

        // Assert
        Assert.StartsWith("ApiCache:Security:Authentication:ClientCaFile", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The proxy over HTTPS, asking for client certificates and leaving their verification to ApiCache.</summary>
    private Task<LoopbackServer> StartProxyAsync(string caFile, bool anonymous)
    {
        var serving = _servingCa.IssueServer();
        return AuthenticatingProxy.StartAsync(
            _upstream,
            options =>
            {
                options.Security.Authentication.ClientCaFile = caFile;
                options.Security.Authentication.Anonymous = anonymous;
            },
            kestrel: kestrel => kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ServerCertificate = serving;
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.AllowAnyClientCertificate();
            }),
            https: true);
    }

    private async Task<HttpStatusCode> GetAsync(Uri address, X509Certificate2? certificate, string? token)
    {
        using var client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate!,
                RemoteCertificateValidationCallback = (_, server, _, _) => server is not null && server.Issuer == _servingCa.Ca.Subject,
            },
        })
        { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/pods") { Version = HttpVersion.Version20 };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
