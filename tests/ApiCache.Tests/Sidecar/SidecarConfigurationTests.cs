using System.Net;
using System.Net.Sockets;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Sidecar;

/// <summary>The sidecar refuses bad configuration at start: exit code 2 and one clear line on stderr, no stack trace.</summary>
public sealed class SidecarConfigurationTests
{
    private const string ErrorPrefix = "apicache: configuration error: ";

    /// <summary>A syntactically valid upstream nobody listens on: start-up never connects to it.</summary>
    private const string SomeUpstream = "--ApiCache:Upstream:Servers:0:Url=http://127.0.0.1:9";

    /// <summary>ApiCache's own token for <see cref="SomeUpstream"/> (Authenticate mode, the default, needs credentials).</summary>
    private const string SomeUpstreamToken = "--ApiCache:Upstream:Servers:0:BearerToken=unused";

    private const string LoopbackListen = "--Sidecar:Listen=http://127.0.0.1:0";

    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Start_NoUpstream_ServesTheBuiltInDevServerAndPrintsAKubectlLine()
    {
        await using var sidecar = await SidecarProcess.StartAsync([LoopbackListen], trustedByDefault: false);
        using var client = new HttpClient { BaseAddress = sidecar.Address };

        using var pods = await WarmCache.GetAsync(client, "/api/v1/pods");
        var body = System.Text.Json.Nodes.JsonNode.Parse(await pods.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, pods.StatusCode);
        Assert.Equal("PodList", body["kind"]!.GetValue<string>());
        Assert.Equal(30, body["items"]!.AsArray().Count);
        Assert.Contains(sidecar.StandardOutputLines, l => l.StartsWith("apicache: no upstream apiserver configured", StringComparison.Ordinal));
        Assert.Contains(sidecar.StandardOutputLines, l => l == $"apicache: try: kubectl --server {sidecar.Address.ToString().TrimEnd('/')} get pods -A");
    }

    [Fact]
    public async Task Start_UpstreamUrlNotAUrl_ExitsNamingTheOption()
    {
        var error = await RunExpectingConfigurationErrorAsync(["--ApiCache:Upstream:Servers:0:Url=not-a-url", LoopbackListen]);

        Assert.Contains("ApiCache:Upstream:Servers:0:Url", error, StringComparison.Ordinal);
        Assert.Contains("'not-a-url'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_KubeconfigMissing_ExitsNamingTheFile()
    {
        using var temp = new TempDirectory();
        var missing = Path.Join(temp.Path, "no-such-dir", "kubeconfig");

        var error = await RunExpectingConfigurationErrorAsync(["--ApiCache:Upstream:Kubeconfig=" + missing, LoopbackListen]);

        Assert.Contains(missing, error, StringComparison.Ordinal);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_HttpsListenWithoutCertificateFiles_ExitsNamingCertificateFile()
    {
        var error = await RunExpectingConfigurationErrorAsync([SomeUpstream, LoopbackListen, "--Sidecar:Https:Listen=https://127.0.0.1:0"]);

        Assert.Contains("Sidecar:Https:CertificateFile", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Sidecar:Listen=https://127.0.0.1:0", "Sidecar:Listen", "http")]
    [InlineData("--Sidecar:Listen=ftp://127.0.0.1:0", "Sidecar:Listen", "http")]
    [InlineData("--Sidecar:Https:Listen=http://127.0.0.1:0", "Sidecar:Https:Listen", "https")]
    [InlineData("--Sidecar:Listen=http://127.0.0.1", "Sidecar:Listen", "http")]
    [InlineData("--Sidecar:Listen=http://127.0.0.1:8001/api", "Sidecar:Listen", "http")]
    public async Task Start_ListenUrlWithWrongScheme_ExitsNamingTheOptionAndScheme(string listen, string option, string scheme)
    {
        var error = await RunExpectingConfigurationErrorAsync([SomeUpstream, listen]);

        Assert.StartsWith(option + " is '", error, StringComparison.Ordinal);
        Assert.Contains($"it must be a {scheme}:// URL", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ListenPortInUse_ExitsOneWithCannotListen()
    {
        // Arrange
        var occupied = new TcpListener(IPAddress.Loopback, 0);
        occupied.Start();
        try
        {
            var port = ((IPEndPoint)occupied.LocalEndpoint).Port;

            // Act
            var (exitCode, stdout, stderr) = await SidecarProcess.RunToExitAsync(
                [SomeUpstream, SomeUpstreamToken, $"--Sidecar:Listen=http://127.0.0.1:{port}"], ExitDeadline, trustedByDefault: false);

            // Assert
            Assert.True(exitCode == 1, $"exit code {exitCode}, expected 1\nstderr:\n{stderr}\nstdout:\n{stdout}");
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("apicache: cannot listen: ", line, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
        }
        finally
        {
            occupied.Stop();
        }
    }

    [Fact]
    public async Task Start_ListenLocalhostPortZero_ExitsWithConfigurationError()
    {
        var error = await RunExpectingConfigurationErrorAsync([SomeUpstream, "--Sidecar:Listen=http://localhost:0"]);

        Assert.Contains("Sidecar:Listen", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ListenAddressNotOnThisHost_ExitsOneWithCannotListen()
    {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never assigned to a real interface.
        var (exitCode, _, stderr) = await SidecarProcess.RunToExitAsync([SomeUpstream, SomeUpstreamToken, "--Sidecar:Listen=http://192.0.2.1:0"], ExitDeadline, trustedByDefault: false);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("apicache: cannot listen: ", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Sidecar:Listen=http://0.0.0.0:0", "Sidecar:Listen")]
    [InlineData("--Sidecar:Listen=http://*:0", "Sidecar:Listen")]
    [InlineData("--Sidecar:Listen=http://[::]:0", "Sidecar:Listen")]
    [InlineData("--Sidecar:Listen=http://192.0.2.1:0", "Sidecar:Listen")]
    public async Task Start_TrustedModeWithNonLoopbackListener_ExitsNamingTheListener(string listen, string option)
    {
        var error = await RunExpectingConfigurationErrorAsync([SomeUpstream, "--ApiCache:Security:Mode=Trusted", listen]);

        Assert.StartsWith("ApiCache:Security:Mode is Trusted, which does not authenticate or authorize callers, but " + option + " is '", error, StringComparison.Ordinal);
        Assert.Contains("loopback", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_TrustedModeWithNonLoopbackHttpsListener_ExitsNamingTheHttpsListener()
    {
        using var temp = new TempDirectory();
        using var pki = new TestPki();
        using var serving = pki.IssueServer();
        var (certificateFile, keyFile) = TestPki.WritePem(serving, temp, "tls");

        var error = await RunExpectingConfigurationErrorAsync(
            [
                SomeUpstream, "--ApiCache:Security:Mode=trusted", LoopbackListen,
                "--Sidecar:Https:Listen=https://0.0.0.0:0", "--Sidecar:Https:CertificateFile=" + certificateFile, "--Sidecar:Https:KeyFile=" + keyFile,
            ]);

        Assert.Contains("but Sidecar:Https:Listen is 'https://0.0.0.0:0', not a loopback address", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NoUpstreamNoSecurityModeNonLoopbackListener_ExitsSayingTrustedIsTheDevServerDefault()
    {
        var error = await RunExpectingConfigurationErrorAsync(["--Sidecar:Listen=http://0.0.0.0:0"], trustedByDefault: false);

        Assert.StartsWith("ApiCache:Security:Mode is Trusted (the default when the built-in dev API server is used)", error, StringComparison.Ordinal);
        Assert.Contains("ApiCache:Security:Mode=Authenticate", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Off")]
    [InlineData("1")]
    public async Task Start_UnknownSecurityMode_ExitsNamingTheKeyAndTheValues(string mode)
    {
        var error = await RunExpectingConfigurationErrorAsync([SomeUpstream, LoopbackListen, "--ApiCache:Security:Mode=" + mode]);

        Assert.Equal($"ApiCache:Security:Mode is '{mode}': it must be Authenticate (the default) or Trusted.", error);
    }

    [Fact]
    public async Task Start_NoUpstreamNoSecurityMode_PrintsOneLoudTrustedModeLine()
    {
        await using var sidecar = await SidecarProcess.StartAsync([LoopbackListen], trustedByDefault: false);

        var line = Assert.Single(sidecar.StandardOutputLines, l => l.Contains("SECURITY IS OFF", StringComparison.Ordinal));

        Assert.StartsWith("apicache: WARNING: SECURITY IS OFF: ", line, StringComparison.Ordinal);
        Assert.Contains("Trusted mode", line, StringComparison.Ordinal);
        Assert.Contains("built-in dev API server", line, StringComparison.Ordinal);
        Assert.Contains("ApiCache:Security:Mode=Authenticate", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NoUpstreamTrustedModeConfigured_ServesWithoutTheDefaultedLine()
    {
        await using var sidecar = await SidecarProcess.StartAsync([LoopbackListen, "--ApiCache:Security:Mode=Trusted"]);
        using var client = new HttpClient { BaseAddress = sidecar.Address };

        using var pods = await WarmCache.GetAsync(client, "/api/v1/namespaces");

        Assert.Equal(HttpStatusCode.OK, pods.StatusCode);
        Assert.DoesNotContain(sidecar.StandardOutputLines, l => l.Contains("SECURITY IS OFF", StringComparison.Ordinal));
    }

    /// <summary>Runs the sidecar, asserts the shape of a configuration error and returns the message after the prefix.</summary>
    private static async Task<string> RunExpectingConfigurationErrorAsync(string[] args, bool trustedByDefault = true)
    {
        var (exitCode, stdout, stderr) = await SidecarProcess.RunToExitAsync(args, ExitDeadline, trustedByDefault: trustedByDefault);

        Assert.True(exitCode == 2, $"exit code {exitCode}, expected 2\nstderr:\n{stderr}\nstdout:\n{stdout}");
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(lines, line => line.StartsWith("   at ", StringComparison.Ordinal));
        var line = Assert.Single(lines);
        Assert.StartsWith(ErrorPrefix, line, StringComparison.Ordinal);
        Assert.DoesNotContain(SidecarProcess.ServingPrefix, stdout, StringComparison.Ordinal);
        return line[ErrorPrefix.Length..];
    }
}
