using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Security;

/// <summary>The dev server program as a real process with <c>--DevServer:Tls:*</c> and <c>--DevServer:Security:PolicyFile</c>.</summary>
public sealed class DevServerProgramSecurityTests
{
    [Fact]
    public async Task Program_WithTlsAndPolicy_AuthenticatesTokensAndClientCertificates()
    {
        using var directory = new TempDirectory();
        using var pki = new TestPki();
        using var serving = pki.IssueServer();
        using var alice = pki.IssueClient("alice", "developers");
        var (certificateFile, keyFile) = TestPki.WritePem(serving, directory, "serving");
        var policy = directory.Write("policy.yaml", SecureDevServer.StandardPolicy);
        var ca = directory.Write("ca.crt", pki.CaPem);
        await using var server = await SidecarProcess.StartDevServerAsync(
        [
            "--urls", "https://127.0.0.1:0", $"--DevServer:Tls:CertificateFile={certificateFile}", $"--DevServer:Tls:KeyFile={keyFile}",
            $"--DevServer:Tls:ClientCaFile={ca}", $"--DevServer:Security:PolicyFile={policy}",
        ]);

        var address = server.HttpsAddress ?? throw new InvalidOperationException("the dev server serves no https address");
        using var anonymous = Client(address, serving, null);
        using var admin = Client(address, serving, null);
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "admin-token");
        using var byCertificate = Client(address, serving, alice);
        using var denied = await anonymous.GetAsync("/api/v1/namespaces");
        using var allowed = await admin.GetAsync("/api/v1/namespaces");
        using var content = new StringContent("""{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""", Encoding.UTF8, "application/json");
        using var whoAmI = await byCertificate.PostAsync("/apis/authentication.k8s.io/v1/selfsubjectreviews", content);

        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("alice", JsonNode.Parse(await whoAmI.Content.ReadAsStringAsync())!["status"]!["userInfo"]!["username"]!.GetValue<string>());
    }

    private static HttpClient Client(Uri address, X509Certificate2 serving, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            certificate is not null && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
            && certificate.GetRawCertData().AsSpan().SequenceEqual(serving.RawData);
        if (clientCertificate is not null)
        {
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        return new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }
}
