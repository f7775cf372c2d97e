using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>
/// Real kubectl (1.27 and 1.33) with a client-certificate kubeconfig and with a token kubeconfig,
/// against the real sidecar over HTTPS in Authenticate mode: alice reads her namespace, is refused
/// the other with the apiserver's Forbidden message, admin lists every namespace.
/// </summary>
public sealed class KubectlSecurityTests(KubectlSecurityFixture fixture) : IClassFixture<KubectlSecurityFixture>
{
    [Theory]
    [InlineData("1.33", "token")]
    [InlineData("1.33", "cert")]
    [InlineData("1.27", "token")]
    [InlineData("1.27", "cert")]
    public async Task GetPods_AliceInTeamA_ListsTeamAPodsOnly(string version, string credential)
    {
        using var home = new TempDirectory();
        var kubectl = Kubectl(version, home, Alice(credential));

        var result = await kubectl.RunAsync("get", "pods", "-n", "team-a");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("NAME ", result.Stdout, StringComparison.Ordinal);
        foreach (var pod in new[] { "web-1", "web-2", "web-3", "api-1", "api-2", "db-0", "db-1" })
        {
            Assert.Contains(pod + " ", result.Stdout, StringComparison.Ordinal);
        }

        // cache-0 and batch-1 exist only in team-b.
        Assert.DoesNotContain("cache-0", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("batch-1", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.33", "token")]
    [InlineData("1.33", "cert")]
    [InlineData("1.27", "token")]
    [InlineData("1.27", "cert")]
    public async Task GetPods_AliceInTeamB_FailsWithTheApiServersForbiddenMessage(string version, string credential)
    {
        using var home = new TempDirectory();
        var kubectl = Kubectl(version, home, Alice(credential));

        var result = await kubectl.RunAsync("get", "pods", "-n", "team-b");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(
            "Error from server (Forbidden): pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"team-b\"",
            result.Stderr,
            StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Theory]
    [InlineData("1.33")]
    [InlineData("1.27")]
    public async Task GetPodsAllNamespaces_Admin_ListsBothNamespaces(string version)
    {
        using var home = new TempDirectory();
        var kubectl = Kubectl(version, home, fixture.Cluster.Admin);

        var result = await kubectl.RunAsync("get", "pods", "-A");

        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(7, rows.Count(r => r[0] == "team-a"));
        Assert.Equal(5, rows.Count(r => r[0] == "team-b"));
    }

    [Theory]
    [InlineData("1.33")]
    [InlineData("1.27")]
    public async Task GetPodsOnItsNode_NodeClientCertificate_ListsItsPodsInBothNamespaces(string version)
    {
        using var home = new TempDirectory();
        var kubectl = Kubectl(version, home, fixture.Cluster.NodeCertificate);

        var result = await kubectl.RunAsync("get", "pods", "-A", "--field-selector", "spec.nodeName=node-1", "-o", "name");

        Assert.True(result.ExitCode == 0, result.ToString());
        // node-1 runs team-a web-1, api-1, db-0 and team-b web-2 (the fixtures' seed).
        Assert.Equal(new[] { "pod/api-1", "pod/db-0", "pod/web-1", "pod/web-2" }, result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    private TestIdentity Alice(string credential) => credential == "cert" ? fixture.Cluster.AliceCertificate : fixture.Cluster.AliceToken;

    private KubectlRunner Kubectl(string version, TempDirectory home, TestIdentity identity) =>
        new(version, fixture.WriteKubeconfig(home.Path, identity), home.Path);
}
