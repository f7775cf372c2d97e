using System.Net;
using System.Security.Cryptography.X509Certificates;
using ApiCache.Configuration;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace ApiCache.Tests.Forwarding;

/// <summary>
/// The proxy talks TLS to an upstream the way kubectl does: it verifies the server against the
/// configured CA bundle and presents its client certificate, over HTTP/2.
/// </summary>
public sealed class UpstreamTlsTests : IDisposable
{
    private readonly TestPki _pki = new();
    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task Forward_HttpsUpstreamWithClientCertificate_PresentsCertificateAndTrustsConfiguredCa()
    {
        // Arrange: an apiserver-like upstream that requires a client certificate issued by its CA.
        await using var upstream = await StartTlsUpstreamAsync();
        using var client = _pki.IssueClient("system:apicache", "system:masters");
        var (certFile, keyFile) = TestPki.WritePem(client, _temp, "client");
        var caFile = _temp.Write("ca.crt", _pki.CaPem);
        await using var proxy = await ProxyHost.StartAsync(options => options.Upstream.Servers.Add(new UpstreamServerOptions
        {
            Url = upstream.Address.ToString(),
            CertificateAuthorityFile = caFile,
            ClientCertificateFile = certFile,
            ClientKeyFile = keyFile,
        }));
        using var http = new HttpClient { BaseAddress = proxy.Address };

        // Act
        var answer = await http.GetStringAsync(new Uri("/api/v1/namespaces/default/pods", UriKind.Relative));

        // Assert
        Assert.Equal("user=system:apicache groups=system:masters protocol=HTTP/2", answer);
    }

    [Fact]
    public async Task Forward_HttpsUpstreamFromKubeconfig_UsesKubeconfigCredentials()
    {
        await using var upstream = await StartTlsUpstreamAsync();
        using var client = _pki.IssueClient("kubeconfig-user", "developers");
        var (certFile, keyFile) = TestPki.WritePem(client, _temp, "kc-client");
        var kubeconfig = _temp.Write("kubeconfig", $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: {upstream.Address}
                certificate-authority-data: {TestCertificates.Base64(_pki.CaPem)}
            users:
            - name: test
              user:
                client-certificate: {Path.GetFileName(certFile)}
                client-key: {Path.GetFileName(keyFile)}
            contexts:
            - name: test
              context:
                cluster: test
                user: test
            current-context: test
            """);
        await using var proxy = await ProxyHost.StartAsync(options => options.Upstream.Kubeconfig = kubeconfig);
        using var http = new HttpClient { BaseAddress = proxy.Address };

        var answer = await http.GetStringAsync(new Uri("/version", UriKind.Relative));

        Assert.Equal("user=kubeconfig-user groups=developers protocol=HTTP/2", answer);
    }

    [Fact]
    public async Task Forward_UpstreamCertificateFromAnotherCa_AnswersServiceUnavailableStatus()
    {
        // Arrange: the proxy trusts a different CA than the one that issued the upstream's certificate.
        await using var upstream = await StartTlsUpstreamAsync();
        using var otherPki = new TestPki("some-other-ca");
        var caFile = _temp.Write("other-ca.crt", otherPki.CaPem);
        await using var proxy = await ProxyHost.StartAsync(options => options.Upstream.Servers.Add(new UpstreamServerOptions
        {
            Url = upstream.Address.ToString(),
            CertificateAuthorityFile = caFile,
        }));
        using var http = new HttpClient { BaseAddress = proxy.Address };

        // Act
        using var response = await http.GetAsync(new Uri("/api/v1/pods", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("\"reason\":\"ServiceUnavailable\"", body, StringComparison.Ordinal);
        Assert.Contains("error trying to reach the upstream apiserver", body, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _pki.Dispose();
        _temp.Dispose();
    }

    /// <summary>An HTTPS upstream that requires a client certificate from the test CA and reports who called.</summary>
    private Task<LoopbackServer> StartTlsUpstreamAsync()
    {
        var serverCertificate = _pki.IssueServer();
        var ca = _pki.Ca;
        return LoopbackServer.StartAsync(
            app => app.Run(context =>
            {
                var certificate = context.Connection.ClientCertificate!;
                var groups = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
                    .Where(rdn => rdn.GetSingleElementType().Value == "2.5.4.10")
                    .Select(rdn => rdn.GetSingleElementValue());
                return context.Response.WriteAsync(
                    $"user={certificate.GetNameInfo(X509NameType.SimpleName, false)} groups={string.Join(",", groups)} protocol={context.Request.Protocol}");
            }),
            configureKestrel: kestrel => kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ServerCertificate = serverCertificate;
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(certificate);
                };
            }),
            https: true);
    }
}
