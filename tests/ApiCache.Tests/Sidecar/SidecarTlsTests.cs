using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Sidecar;

/// <summary>The real sidecar's HTTPS listener: certificate rotation without a restart, client certificates asked for but not required.</summary>
public sealed class SidecarTlsTests : IAsyncLifetime, IDisposable
{
    /// <summary>A failure guard for waiting on the sidecar to notice a change; never a measurement.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _temp = new();
    private readonly TestPki _pki = new();

    /// <summary>The serving certificates the tests issued: the only ones the client accepts.</summary>
    private readonly HashSet<string> _issued = [];
    private X509Certificate2 _first = null!;
    private string _certificateFile = "";
    private string _keyFile = "";
    private SidecarProcess _sidecar = null!;

    public async Task InitializeAsync()
    {
        _first = Issue();
        (_certificateFile, _keyFile) = TestPki.WritePem(_first, _temp, "tls");

        // Trusted on loopback: these tests are about the TLS layer, not about who the caller is.
        _sidecar = await SidecarProcess.StartAsync(
            [
                "--ApiCache:Upstream:Servers:0:Url=http://127.0.0.1:9",
                SidecarFixture.CacheOff,
                SidecarProcess.TrustedMode,
                "--Sidecar:Listen=",
                "--Sidecar:Https:Listen=https://127.0.0.1:0",
                "--Sidecar:Https:CertificateFile=" + _certificateFile,
                "--Sidecar:Https:KeyFile=" + _keyFile,
            ]);
    }

    [Fact]
    public async Task Https_CertificateFilesReplaced_NewConnectionsGetTheNewCertificateWithoutRestart()
    {
        // Arrange
        var (before, _) = await HandshakeAsync(HttpVersion.Version20);
        using var second = Issue();

        // Act: rotate as a certificate manager does, key first, then the certificate.
        WritePair(second);
        var after = await WaitForCertificateAsync(Thumbprint(second));

        // Assert
        Assert.Equal(Thumbprint(_first), before);
        Assert.Equal(Thumbprint(second), after);
        Assert.Contains(_sidecar.StandardOutputLines, l => l.Contains("Reloaded the serving certificate", StringComparison.Ordinal) && l.Contains(Thumbprint(second), StringComparison.Ordinal));
        var (overHttp11, version) = await HandshakeAsync(HttpVersion.Version11);
        Assert.Equal((Thumbprint(second), HttpVersion.Version11), (overHttp11, version));
    }

    [Fact]
    public async Task Https_ReplacedPairDoesNotLoad_KeepsServingThePreviousCertificateAndLogsIt()
    {
        // Arrange
        using var second = Issue();
        using var unmatched = Issue();

        // Act: a certificate whose key is another one's.
        File.WriteAllText(_certificateFile, TestPki.ToPem(second).CertificatePem);
        File.WriteAllText(_keyFile, TestPki.ToPem(unmatched).KeyPem);
        var logged = await WaitForLineAsync(l => l.Contains("does not load", StringComparison.Ordinal));
        var (presented, _) = await HandshakeAsync(HttpVersion.Version20);

        // Assert
        Assert.Contains(_certificateFile, logged, StringComparison.Ordinal);
        Assert.Contains("still presenting the previous certificate", logged, StringComparison.Ordinal);
        Assert.Equal(Thumbprint(_first), presented);
    }

    [Fact]
    public async Task Https_TrustedMode_DoesNotAskForAClientCertificate()
    {
        // In Trusted mode nothing would verify a client certificate, so none is asked for.
        using var client = _pki.IssueClient("alice", "developers");

        var (sent, protocol) = await RawHandshakeAsync(_sidecar.HttpsAddress!, client);

        Assert.Null(sent);
        Assert.Equal(SslApplicationProtocol.Http2, protocol);
    }

    [Fact]
    public async Task Https_AuthenticateModeWithClientCa_AsksForAClientCertificateAndLeavesJudgingItToApiCache()
    {
        // Arrange: Authenticate mode with a client CA: the listener asks for a certificate but
        // accepts any at the TLS layer (one of an unknown CA, or none); ApiCache judges it.
        var caFile = _temp.Write("client-ca.crt", _pki.CaPem);
        await using var sidecar = await SidecarProcess.StartAsync(
            [
                "--ApiCache:Upstream:Servers:0:Url=http://127.0.0.1:9",
                SidecarFixture.CacheOff,
                "--ApiCache:Upstream:Servers:0:BearerToken=apicache-token",
                "--ApiCache:Security:Mode=Authenticate",
                "--ApiCache:Security:Authentication:ClientCaFile=" + caFile,
                "--Sidecar:Listen=",
                "--Sidecar:Https:Listen=https://127.0.0.1:0",
                "--Sidecar:Https:CertificateFile=" + _certificateFile,
                "--Sidecar:Https:KeyFile=" + _keyFile,
            ]);
        using var stranger = new TestPki("stranger-ca");
        using var strangers = stranger.IssueClient("mallory", "system:masters");
        using var known = _pki.IssueClient("alice", "developers");

        // Act
        var (sentStrangers, protocol) = await RawHandshakeAsync(sidecar.HttpsAddress!, strangers);
        var (sentKnown, _) = await RawHandshakeAsync(sidecar.HttpsAddress!, known);
        var (sentNone, _) = await RawHandshakeAsync(sidecar.HttpsAddress!, null);

        // Assert
        Assert.Equal(Thumbprint(strangers), sentStrangers);
        Assert.Equal(Thumbprint(known), sentKnown);
        Assert.Null(sentNone);
        Assert.Equal(SslApplicationProtocol.Http2, protocol);
    }

    public async Task DisposeAsync()
    {
        await _sidecar.DisposeAsync();
    }

    public void Dispose()
    {
        _first.Dispose();
        _pki.Dispose();
        _temp.Dispose();
    }

    private static string Thumbprint(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    private X509Certificate2 Issue()
    {
        var certificate = _pki.IssueServer();
        _issued.Add(Thumbprint(certificate));
        return certificate;
    }

    private void WritePair(X509Certificate2 certificate)
    {
        var (certificatePem, keyPem) = TestPki.ToPem(certificate);
        File.WriteAllText(_keyFile, keyPem);
        File.WriteAllText(_certificateFile, certificatePem);
    }

    /// <summary>
    /// A TLS handshake (ALPN h2, http/1.1) offering <paramref name="clientCertificate"/>; returns the
    /// thumbprint of the client certificate sent (null when the server asked for none) and the protocol.
    /// </summary>
    private async Task<(string? Sent, SslApplicationProtocol Protocol)> RawHandshakeAsync(Uri address, X509Certificate2? clientCertificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = address.Host,
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate!,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && _issued.Contains(certificate.GetCertHashString(HashAlgorithmName.SHA256)),
        });
        return (tls.LocalCertificate?.GetCertHashString(HashAlgorithmName.SHA256), tls.NegotiatedApplicationProtocol);
    }

    /// <summary>GET /healthz on a new connection; returns the certificate the sidecar presented and the HTTP version used.</summary>
    private async Task<(string Thumbprint, Version Version)> HandshakeAsync(Version version)
    {
        string? presented = null;
        using var handler = new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            presented = certificate?.GetCertHashString(HashAlgorithmName.SHA256);
            return presented is not null && _issued.Contains(presented);
        };
        using var client = new HttpClient(handler)
        {
            BaseAddress = _sidecar.HttpsAddress,
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };
        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (presented ?? throw new InvalidOperationException("no certificate presented"), response.Version);
    }

    /// <summary>New connections until one is served with <paramref name="thumbprint"/> (the sidecar looks at the files at most once a second).</summary>
    private async Task<string> WaitForCertificateAsync(string thumbprint)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var (presented, _) = await HandshakeAsync(HttpVersion.Version20);
            if (presented == thumbprint || DateTime.UtcNow > deadline)
            {
                return presented;
            }

            await Task.Delay(100);
        }
    }

    private async Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            // Only a handshake makes the sidecar look at the files.
            await HandshakeAsync(HttpVersion.Version20);
            if (_sidecar.StandardOutputLines.FirstOrDefault(match) is string line)
            {
                return line;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("no matching line within " + Deadline + ":\n" + string.Join("\n", _sidecar.StandardOutputLines));
            }

            await Task.Delay(100);
        }
    }
}
