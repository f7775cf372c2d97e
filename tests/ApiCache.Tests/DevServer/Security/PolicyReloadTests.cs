using System.Net;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Security;

/// <summary>
/// The policy file is read again when it changes: a new rule applies from the next request, a
/// broken edit keeps the previous policy, and a broken file at start fails start-up clearly.
/// </summary>
public sealed class PolicyReloadTests
{
    private const string TeamBRule = """

          - name: alice-team-b
            users: [alice]
            verbs: [list]
            apiGroups: [""]
            resources: [pods]
            namespaces: [team-b]
        """;

    [Fact]
    public async Task PolicyFile_RuleAdded_AppliesToTheNextRequest()
    {
        await using var server = await SecureDevServer.StartAsync();
        await server.SeedFixtureClusterAsync();
        var alice = server.ClientFor("alice");
        using var before = await alice.GetAsync("/api/v1/namespaces/team-b/pods");

        await File.WriteAllTextAsync(server.PolicyFile, SecureDevServer.StandardPolicy + TeamBRule);
        using var after = await alice.GetAsync("/api/v1/namespaces/team-b/pods");

        Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task PolicyFile_BrokenEdit_KeepsThePreviousPolicy()
    {
        await using var server = await SecureDevServer.StartAsync();
        await server.SeedFixtureClusterAsync();
        var alice = server.ClientFor("alice");

        await File.WriteAllTextAsync(server.PolicyFile, SecureDevServer.StandardPolicy + TeamBRule + "\n  - name: [unclosed\n");
        using var stillAllowed = await alice.GetAsync("/api/v1/namespaces/team-a/pods");
        using var stillDenied = await alice.GetAsync("/api/v1/namespaces/team-b/pods");
        await File.WriteAllTextAsync(server.PolicyFile, SecureDevServer.StandardPolicy + TeamBRule);
        using var fixedAllowed = await alice.GetAsync("/api/v1/namespaces/team-b/pods");

        Assert.Equal(HttpStatusCode.OK, stillAllowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, stillDenied.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fixedAllowed.StatusCode);
    }

    [Fact]
    public async Task PolicyFile_AnonymousOff_RefusesRequestsWithoutCredentials()
    {
        await using var server = await SecureDevServer.StartAsync("anonymous: false\n" + SecureDevServer.StandardPolicy);

        using var anonymous = await server.ClientFor("none").GetAsync("/readyz");
        using var admin = await server.Admin.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(FixtureUpstream.FixtureText("04-err-401-bad-token"), await anonymous.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task PolicyFile_BrokenAtStart_FailsStartUpNamingTheFile()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SecureDevServer.StartAsync("users:\n  - name: alice\n    tokenz: [x]\n"));

        Assert.Contains("DevServer:Security:PolicyFile", error.Message, StringComparison.Ordinal);
        Assert.Contains("policy.yaml", error.Message, StringComparison.Ordinal);
        Assert.Contains("tokenz", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientCaFile_Missing_FailsStartUpNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SecureDevServer.StartAsync(
            configure: (options, directory) => options.Tls.ClientCaFile = Path.Join(directory.Path, "missing-ca.crt")));

        Assert.Contains("DevServer:Tls:ClientCaFile", error.Message, StringComparison.Ordinal);
    }
}
