using System.Net;

namespace ApiCache.Tests.DevServer.Security;

/// <summary>
/// The Node authorizer's relationships, looked up in the store: node-1 may read what the pods bound
/// to it refer to, and nothing else of those kinds; and what everyone may read (health, version).
/// </summary>
public sealed class NodeAuthorizerTests(SecureClusterFixture cluster) : IClassFixture<SecureClusterFixture>
{
    [Theory]
    [InlineData("/api/v1/namespaces/team-a/configmaps/app-config", HttpStatusCode.OK)]
    [InlineData("/api/v1/namespaces/team-b/configmaps/db-config", HttpStatusCode.OK)]
    [InlineData("/api/v1/namespaces/team-a/configmaps?fieldSelector=metadata.name%3Dapp-config", HttpStatusCode.OK)]
    [InlineData("/api/v1/namespaces/team-a/configmaps/feature-flags", HttpStatusCode.Forbidden)]
    [InlineData("/api/v1/namespaces/team-a/secrets/anything", HttpStatusCode.Forbidden)]
    [InlineData("/api/v1/namespaces/team-a/pods/web-1", HttpStatusCode.OK)]
    [InlineData("/api/v1/namespaces/team-b/pods/web-2", HttpStatusCode.OK)]
    [InlineData("/api/v1/namespaces/team-b/pods/web-1", HttpStatusCode.Forbidden)]
    [InlineData("/api/v1/namespaces/team-b/pods/batch-1", HttpStatusCode.Forbidden)]
    public async Task Get_AsNode1_IsAllowedOnlyForRelatedObjects(string path, HttpStatusCode expected)
    {
        using var response = await cluster.Server.ClientFor("node1").GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(expected == response.StatusCode, $"{path}: {(int)response.StatusCode} {body}");
        if (expected == HttpStatusCode.Forbidden)
        {
            var message = System.Text.Json.Nodes.JsonNode.Parse(body)!["message"]!.GetValue<string>();
            Assert.EndsWith(": no relationship found between node 'node-1' and this object", message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/readyz")]
    [InlineData("/livez")]
    [InlineData("/healthz")]
    [InlineData("/version")]
    public async Task Get_PublicInfoAnonymously_IsAllowed(string path)
    {
        using var response = await cluster.Server.ClientFor("none").GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Get_UnservedPathAnonymously_Is403BeforeNotFound()
    {
        using var response = await cluster.Server.ClientFor("none").GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"forbidden: User \\\"system:anonymous\\\" cannot get path \\\"/metrics\\\"\",\"reason\":\"Forbidden\",\"details\":{},\"code\":403}\n",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_DiscoveryAsAnAuthenticatedUser_IsAllowedByThePolicy()
    {
        using var apis = await cluster.Server.ClientFor("alice").GetAsync("/apis");
        using var anonymous = await cluster.Server.ClientFor("none").GetAsync("/apis");

        Assert.Equal(HttpStatusCode.OK, apis.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
    }
}
