using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace ApiCache.Tests.DevServer.Security;

/// <summary>
/// Authentication by client certificate over real TLS: a certificate of the client CA is its CN in
/// its O groups; one of an unknown CA is refused (401, as kube-apiserver: anonymous access does not cover a failed certificate); a front proxy's certificate lets
/// it name the user in X-Remote-* headers, which nobody else can.
/// </summary>
public sealed class ClientCertificateAuthenticationTests(TlsClusterFixture tls) : IClassFixture<TlsClusterFixture>
{
    private const string WhoAmI = "/apis/authentication.k8s.io/v1/selfsubjectreviews";

    [Fact]
    public async Task ClientCertificate_OfTheClientCa_IsTheCommonNameInItsOrganizations()
    {
        var (status, review) = await WhoAmIAsync(tls.Server.Host.CreateClient(tls.Alice));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("""{"username":"alice","groups":["developers","system:authenticated"]}""", review["status"]!["userInfo"]!.ToJsonString());
    }

    [Fact]
    public async Task ClientCertificate_OfANode_IsAuthorizedByTheNodeAuthorizer()
    {
        var client = tls.Server.Host.CreateClient(tls.Node1);

        using var own = await client.GetAsync("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1");
        using var all = await client.GetAsync("/api/v1/pods");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, all.StatusCode);
        Assert.Contains("can only list/watch pods with spec.nodeName field selector", await all.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientCertificate_OfAnUnknownCa_IsUnauthorized()
    {
        var (status, review) = await WhoAmIAsync(tls.Server.Host.CreateClient(tls.UnknownAlice));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Unauthorized", review["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ClientCertificate_OfAnUnknownCaWithAToken_IsTheTokenUser()
    {
        var (status, review) = await WhoAmIAsync(tls.Server.Host.CreateClient(tls.UnknownAlice, bearerToken: "node1-token"));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("system:node:node-1", review["status"]!["userInfo"]!["username"]!.GetValue<string>());
    }

    [Fact]
    public async Task FrontProxy_WithRemoteHeaders_IsTheNamedUser()
    {
        var (status, review) = await WhoAmIAsync(
            tls.Server.Host.CreateClient(tls.FrontProxy),
            ("X-Remote-User", "bob"), ("X-Remote-Group", "g1"), ("X-Remote-Extra-Acme.com%2Fscopes", "read"));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(
            """{"username":"bob","groups":["g1","system:authenticated"],"extra":{"acme.com/scopes":["read"]}}""",
            review["status"]!["userInfo"]!.ToJsonString());
    }

    [Fact]
    public async Task FrontProxy_WithoutRemoteUser_FallsThroughToTheToken()
    {
        var (status, review) = await WhoAmIAsync(tls.Server.Host.CreateClient(tls.FrontProxy, bearerToken: "alice-token"), ("X-Remote-Group", "g1"));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("""{"username":"alice","uid":"alice-uid","groups":["developers","system:authenticated"]}""", review["status"]!["userInfo"]!.ToJsonString());
    }

    [Fact]
    public async Task RemoteHeaders_FromAUserCertificate_AreIgnored()
    {
        var (status, review) = await WhoAmIAsync(
            tls.Server.Host.CreateClient(tls.Alice), ("X-Remote-User", "admin"), ("X-Remote-Group", "system:masters"));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("""{"username":"alice","groups":["developers","system:authenticated"]}""", review["status"]!["userInfo"]!.ToJsonString());
    }

    [Fact]
    public async Task RemoteHeaders_FromAProxyNameNotAllowed_AreIgnored()
    {
        var (status, review) = await WhoAmIAsync(tls.Server.Host.CreateClient(tls.OtherProxy), ("X-Remote-User", "admin"), ("X-Remote-Group", "system:masters"));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("User \"system:anonymous\"", review["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_OverHttp2_ServesWithTheClientCertificateIdentity()
    {
        var client = tls.Server.Host.CreateClient(tls.Alice);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces/team-a/pods") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> WhoAmIAsync(HttpClient client, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, WhoAmI)
        {
            Content = new StringContent("""{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""", Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
