using System.Text;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Security;

/// <summary>
/// The recorded 401/403/200 answers of kube-apiserver (fixtures 04-*) replayed against the secured
/// dev server with the same identities and data: Status bodies byte for byte, and their headers.
/// </summary>
public sealed class DevServerAuthorizationFixtureTests(SecureClusterFixture cluster) : IClassFixture<SecureClusterFixture>
{
    [Theory]
    [InlineData("04-err-401-bad-token")]
    [InlineData("04-err-401-bad-token-watch")]
    [InlineData("04-err-403-alice-get-configmap-team-a")]
    [InlineData("04-err-403-alice-get-missing-pod-team-b")]
    [InlineData("04-err-403-alice-get-pod-team-b")]
    [InlineData("04-err-403-alice-list-pods-cluster-wide")]
    [InlineData("04-err-403-alice-list-pods-team-b")]
    [InlineData("04-err-403-alice-watch-pods-team-b")]
    [InlineData("04-err-403-no-credentials-anonymous")]
    [InlineData("04-err-403-node1-get-other-node")]
    [InlineData("04-err-403-node1-get-pod-on-other-node")]
    [InlineData("04-err-403-node1-list-configmaps")]
    [InlineData("04-err-403-node1-list-nodes-no-selector")]
    [InlineData("04-err-403-node1-list-pods-no-selector")]
    [InlineData("04-err-403-node1-list-pods-other-node")]
    [InlineData("09-tokenreview-by-alice-403")]
    public async Task Request_RefusedInTheFixture_AnswersTheFixtureStatusAndHeaders(string fixture)
    {
        var client = cluster.Server.ClientFor(SecureDevServer.IdentityOf(fixture));
        var expected = FixtureUpstream.Fixture(fixture);

        var (status, headers, body) = await SecureDevServer.ReplayAsync(client, fixture, token: "alice-token");

        Assert.Equal(expected.StatusCode, status);
        Assert.Equal(Encoding.UTF8.GetString(expected.Body), Encoding.UTF8.GetString(body));
        foreach (var name in (string[])["Cache-Control", "Content-Type", "Content-Length", "X-Content-Type-Options"])
        {
            var recorded = expected.Headers.Where(h => h.Key == name).Select(h => h.Value).FirstOrDefault();
            Assert.Equal(recorded, headers.GetValueOrDefault(name));
        }
    }

    [Theory]
    [InlineData("04-alice-200-list-pods-team-a", 7)]
    [InlineData("04-node1-200-get-own-node", 0)]
    [InlineData("04-node1-200-list-pods-own-node", 4)]
    [InlineData("04-node1-list-nodes-own-name-selector", 1)]
    public async Task Request_AllowedInTheFixture_Answers200(string fixture, int items)
    {
        var client = cluster.Server.ClientFor(SecureDevServer.IdentityOf(fixture));

        var (status, _, body) = await SecureDevServer.ReplayAsync(client, fixture);

        Assert.True(status == 200, $"{fixture}: {status} {Encoding.UTF8.GetString(body)}");
        var json = System.Text.Json.Nodes.JsonNode.Parse(body)!;
        Assert.Equal(items, json["items"]?.AsArray().Count ?? 0);
    }
}
