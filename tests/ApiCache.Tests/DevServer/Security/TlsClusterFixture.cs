using System.Security.Cryptography.X509Certificates;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Security;

/// <summary>
/// A secured dev server over HTTPS: serving and user certificates from a client CA, front-proxy
/// certificates from a second CA (only CN <c>front-proxy</c> allowed), and certificates of a CA the
/// server does not know. Shared by a test class.
/// </summary>
public sealed class TlsClusterFixture : IAsyncLifetime
{
    private readonly List<X509Certificate2> _issued = [];
    private SecureDevServer? _server;

    internal SecureDevServer Server => _server!;

    internal X509Certificate2 Alice { get; private set; } = null!;

    internal X509Certificate2 Node1 { get; private set; } = null!;

    internal X509Certificate2 FrontProxy { get; private set; } = null!;

    internal X509Certificate2 OtherProxy { get; private set; } = null!;

    internal X509Certificate2 UnknownAlice { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var clientCa = new TestPki("client-ca");
        using var frontProxyCa = new TestPki("front-proxy-ca");
        using var unknownCa = new TestPki("unknown-ca");
        Alice = Issue(clientCa.IssueClient("alice", "developers"));
        Node1 = Issue(clientCa.IssueClient("system:node:node-1", "system:nodes"));
        FrontProxy = Issue(frontProxyCa.IssueClient("front-proxy"));
        OtherProxy = Issue(frontProxyCa.IssueClient("other-proxy"));
        UnknownAlice = Issue(unknownCa.IssueClient("alice", "system:masters"));
        var serving = Issue(clientCa.IssueServer());
        _server = await SecureDevServer.StartAsync(configure: (options, directory) =>
        {
            var (certificateFile, keyFile) = TestPki.WritePem(serving, directory, "serving");
            options.Tls.CertificateFile = certificateFile;
            options.Tls.KeyFile = keyFile;
            options.Tls.ClientCaFile = directory.Write("client-ca.crt", clientCa.CaPem);
            options.Tls.RequestHeaderClientCaFile = directory.Write("front-proxy-ca.crt", frontProxyCa.CaPem);
            options.Tls.RequestHeaderAllowedNames.Add("front-proxy");
        });
        await _server.SeedFixtureClusterAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        foreach (var certificate in _issued)
        {
            certificate.Dispose();
        }
    }

    private X509Certificate2 Issue(X509Certificate2 certificate)
    {
        _issued.Add(certificate);
        return certificate;
    }
}
