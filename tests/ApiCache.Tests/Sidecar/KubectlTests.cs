using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;

namespace ApiCache.Tests.Sidecar;

/// <summary>Real kubectl binaries pointed at the real sidecar process, in front of recorded apiserver answers.</summary>
public sealed class KubectlTests : IClassFixture<SidecarFixture>
{
    private readonly SidecarFixture _fixture;

    public KubectlTests(SidecarFixture fixture) => _fixture = fixture;

    [Theory]
    [InlineData("1.33", "/version", "01-discovery-version")]
    [InlineData("1.33", "/api/v1/pods", "02-list-pods-all")]
    [InlineData("1.33", "/api/v1/namespaces/team-a/pods", "02-list-pods-ns-team-a")]
    [InlineData("1.27", "/version", "01-discovery-version")]
    [InlineData("1.27", "/api/v1/pods", "02-list-pods-all")]
    [InlineData("1.27", "/api/v1/namespaces/team-a/pods", "02-list-pods-ns-team-a")]
    public async Task GetRaw_FixtureBackedPath_PrintsRecordedBodyExactly(string version, string path, string fixtureName)
    {
        // Arrange
        using var home = new TempDirectory();
        var kubectl = Kubectl(version, home, _fixture.Address);

        // Act
        var result = await kubectl.RunAsync("get", "--raw", path);

        // Assert
        Assert.True(result.ExitCode == 0, $"kubectl {version} exited with {result.ExitCode}; stderr:\n{result.Stderr}");
        // kubectl --raw copies the body to stdout as it is: no trailing newline added (/version has none).
        Assert.Equal(FixtureUpstream.FixtureBody(fixtureName), result.StdoutBytes);
        // Only this test asks for this path with this kubectl version; its request reached the upstream with kubectl's own User-Agent.
        var request = Assert.Single(
            _fixture.Upstream.RequestsFor(path),
            r => r.Header("User-Agent")?.Contains($"/v{version}.", StringComparison.Ordinal) == true);
        Assert.Equal("GET", request.Method);
        Assert.StartsWith("kubectl", request.Header("User-Agent"), StringComparison.Ordinal);
        Assert.Equal("kubectl get", request.Header("Kubectl-Command"));
        // Both kubectl versions withhold the kubeconfig token from an http:// server.
        Assert.Null(request.Header("Authorization"));
    }

    [Theory]
    [InlineData("1.33")]
    [InlineData("1.27")]
    public async Task GetRaw_MissingPod_ExitsOneWithNotFoundFromServer(string version)
    {
        // Arrange
        using var home = new TempDirectory();
        var kubectl = Kubectl(version, home, _fixture.Address);

        // Act
        var result = await kubectl.RunAsync("get", "--raw", "/api/v1/namespaces/team-a/pods/nope");

        // Assert
        Assert.True(result.ExitCode == 1, $"kubectl {version} exited with {result.ExitCode}; stderr:\n{result.Stderr}");
        Assert.Contains("(NotFound)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("pods \"nope\" not found", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
        Assert.Contains(
            _fixture.Upstream.RequestsFor("/api/v1/namespaces/team-a/pods/nope"),
            r => r.Header("User-Agent")?.StartsWith("kubectl", StringComparison.Ordinal) == true
                && r.Header("User-Agent")!.Contains($"/v{version}.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("1.33")]
    [InlineData("1.27")]
    public async Task GetRaw_Namespaces_PrintsExactlyWhatUpstreamReturned(string version)
    {
        // Arrange: the recordings hold no namespace list, so a scripted upstream answers one; what
        // matters is that kubectl sees the upstream's bytes unchanged through the sidecar process.
        var namespaces = System.Text.Encoding.UTF8.GetBytes(
            "{\"kind\":\"NamespaceList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"401\"},\"items\":["
            + "{\"metadata\":{\"name\":\"default\",\"uid\":\"6b1f0c4e-5d0b-4a8e-9d55-1f0b8e0c2a11\",\"resourceVersion\":\"3\",\"creationTimestamp\":\"2026-11-22T07:50:11Z\",\"labels\":{\"kubernetes.io/metadata.name\":\"default\"}},\"spec\":{\"finalizers\":[\"kubernetes\"]},\"status\":{\"phase\":\"Active\"}},"
            + "{\"metadata\":{\"name\":\"team-a\",\"uid\":\"0d8e4b0e-6f7a-4b7e-8a39-4c2f7f3e9b02\",\"resourceVersion\":\"231\",\"creationTimestamp\":\"2026-11-22T07:51:02Z\",\"labels\":{\"kubernetes.io/metadata.name\":\"team-a\"}},\"spec\":{\"finalizers\":[\"kubernetes\"]},\"status\":{\"phase\":\"Active\"}}]}\n");
        string? seenTarget = null;
        await using var upstream = await LoopbackServer.StartAsync(app => app.Run(context =>
        {
            seenTarget = context.Request.Path + context.Request.QueryString;
            context.Response.ContentType = "application/json";
            return context.Response.Body.WriteAsync(namespaces).AsTask();
        }));
        await using var sidecar = await SidecarProcess.StartAsync(
            ["--ApiCache:Upstream:Servers:0:Url=" + upstream.Address, "--Sidecar:Listen=http://127.0.0.1:0", SidecarFixture.CacheOff, SidecarProcess.TrustedMode]);
        using var home = new TempDirectory();
        var kubectl = Kubectl(version, home, sidecar.Address);

        // Act
        var result = await kubectl.RunAsync("get", "--raw", "/api/v1/namespaces");

        // Assert
        Assert.True(result.ExitCode == 0, $"kubectl {version} exited with {result.ExitCode}; stderr:\n{result.Stderr}");
        Assert.Equal(namespaces, result.StdoutBytes);
        Assert.Equal("/api/v1/namespaces", seenTarget);
    }

    /// <summary>kubectl of <paramref name="version"/> with HOME in <paramref name="home"/> and a token user (which kubectl withholds over http://).</summary>
    private static KubectlRunner Kubectl(string version, TempDirectory home, Uri server) =>
        new(version, KubectlRunner.WriteKubeconfig(home.Path, server, token: "test-token"), home.Path);
}
