using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace ApiCache.Tests.DevServer.Security;

/// <summary>
/// Impersonation as kube-apiserver does it: the proxy's service account, allowed to impersonate,
/// acts as the user it names (and is then authorized as that user); anyone else gets the
/// apiserver's 403 for the impersonation itself.
/// </summary>
public sealed class ImpersonationTests(SecureClusterFixture cluster) : IClassFixture<SecureClusterFixture>
{
    [Fact]
    public async Task Impersonate_ByTheProxyServiceAccount_ActsAsTheUser()
    {
        var proxy = cluster.Server.Host.CreateClient(bearerToken: "apicache-token");
        (string, string)[] alice = [("Impersonate-User", "alice"), ("Impersonate-Group", "developers"), ("Impersonate-Uid", "alice-uid"), ("Impersonate-Extra-Scopes", "read")];

        var (whoStatus, who) = await SendAsync(proxy, HttpMethod.Post, "/apis/authentication.k8s.io/v1/selfsubjectreviews", alice);
        var (ownStatus, _) = await SendAsync(proxy, HttpMethod.Get, "/api/v1/namespaces/team-a/pods", alice);
        var (otherStatus, other) = await SendAsync(proxy, HttpMethod.Get, "/api/v1/namespaces/team-b/pods", alice);

        Assert.Equal(HttpStatusCode.Created, whoStatus);
        Assert.Equal(
            """{"username":"alice","uid":"alice-uid","groups":["developers","system:authenticated"],"extra":{"scopes":["read"]}}""",
            who["status"]!["userInfo"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, ownStatus);
        Assert.Equal(HttpStatusCode.Forbidden, otherStatus);
        Assert.StartsWith("pods is forbidden: User \"alice\" cannot list", other["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Impersonate_ANodeByTheProxy_IsAuthorizedByTheNodeAuthorizer()
    {
        var proxy = cluster.Server.Host.CreateClient(bearerToken: "apicache-token");
        (string, string)[] node = [("Impersonate-User", "system:node:node-1"), ("Impersonate-Group", "system:nodes")];

        var (own, _) = await SendAsync(proxy, HttpMethod.Get, "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1", node);
        var (all, denied) = await SendAsync(proxy, HttpMethod.Get, "/api/v1/pods", node);

        Assert.Equal(HttpStatusCode.OK, own);
        Assert.Equal(HttpStatusCode.Forbidden, all);
        Assert.EndsWith(": can only list/watch pods with spec.nodeName field selector", denied["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Impersonate_ByAlice_AnswersTheApiServers403()
    {
        var alice = cluster.Server.Host.CreateClient(bearerToken: "alice-token");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces/team-a/pods");
        request.Headers.Add("Impersonate-User", "admin");

        using var response = await alice.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"users \\\"admin\\\" is forbidden: User \\\"alice\\\" cannot impersonate resource \\\"users\\\" in API group \\\"\\\" at the cluster scope\",\"reason\":\"Forbidden\",\"details\":{\"name\":\"admin\",\"kind\":\"users\"},\"code\":403}\n",
            await response.Content.ReadAsStringAsync());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Impersonate_UidByAGroupOnlyAllowedUser_IsForbiddenOnUidsOfAuthentication()
    {
        var admin = cluster.Server.Admin;
        var groupOnly = """
            {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"system:serviceaccount:kube-system:apicache","groups":["system:serviceaccounts","system:authenticated"],
             "resourceAttributes":{"verb":"impersonate","group":"authentication.k8s.io","resource":"uids","name":"alice-uid"}}}
            """;
        using var content = new StringContent(groupOnly, Encoding.UTF8, "application/json");

        using var response = await admin.PostAsync("/apis/authorization.k8s.io/v1/subjectaccessreviews", content);
        var review = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(
            """{"allowed":true,"reason":"RBAC: allowed by ClusterRoleBinding \u0022apicache-impersonator-extras\u0022 of ClusterRole \u0022apicache-impersonator-extras\u0022 to User \u0022system:serviceaccount:kube-system:apicache\u0022"}""",
            review["status"]!.ToJsonString());
    }

    [Fact]
    public async Task Impersonate_GroupWithoutUser_Answers500AsTheApiServersInternalError()
    {
        var proxy = cluster.Server.Host.CreateClient(bearerToken: "apicache-token");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces/team-a/pods");
        request.Headers.TryAddWithoutValidation("Impersonate-Group", "system:masters");

        using var response = await proxy.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        // kube-apiserver's impersonation filter: responsewriters.InternalError with Go's %v of the requests.
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("Internal Server Error: \"/api/v1/namespaces/team-a/pods\": requested [{Group  system:masters    }] without impersonating a user\n", body);
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(HttpClient client, HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent("""{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""", Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
