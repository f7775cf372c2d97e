using System.Diagnostics;
using System.Net;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Throttling;

/// <summary>Throttling through the real sidecar process: command-line rules, the admin endpoint, file reloads, kubectl.</summary>
public sealed class ThrottlingSidecarTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private ThrottlingUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await ThrottlingUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task Flood_OneUserAgent_IsCutToTheRateWhileAnotherKeepsSucceeding()
    {
        // Arrange: bad-agent may list pods 5 times a second, bursts of 10.
        const double rate = 5;
        const int burst = 10;
        await using var sidecar = await SidecarProcess.StartAsync(Args(
            "--ApiCache:Throttling:Rules:0:Name=bad-agent",
            "--ApiCache:Throttling:Rules:0:UserAgent:Product=bad-agent",
            "--ApiCache:Throttling:Rules:0:Verbs:0=list",
            "--ApiCache:Throttling:Rules:0:Resources:0=pods",
            "--ApiCache:Throttling:Rules:0:Limiter:Type=TokenBucket",
            "--ApiCache:Throttling:Rules:0:Limiter:Rate=5",
            "--ApiCache:Throttling:Rules:0:Limiter:Burst=10"));
        using var client = new ThrottlingClient(sidecar.Address);

        // Act: 4 workers of 50 bad-agent lists each (a bounded flood); every 5th step a good-agent list too.
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            var bad = new List<int>();
            var good = new List<int>();
            for (var i = 0; i < 50; i++)
            {
                bad.Add(await client.StatusAsync("/api/v1/namespaces/ds/pods", "bad-agent/1.0 (linux/amd64)"));
                if (i % 5 == 0)
                {
                    good.Add(await client.StatusAsync("/api/v1/namespaces/ds/pods", "good-agent/1.0"));
                }
            }

            return (bad, good);
        })).WaitAsync(Deadline);
        var elapsed = clock.Elapsed;

        // Assert: a count bound, not a latency bound — what got through is at most the burst plus what
        // the rate refilled while the flood lasted (plus one token of slack for rounding at the edges).
        var bad = results.SelectMany(r => r.bad).ToList();
        var good = results.SelectMany(r => r.good).ToList();
        var allowed = bad.Count(s => s == 200);
        Assert.Equal(200, bad.Count);
        Assert.All(bad, s => Assert.True(s is 200 or 429, $"unexpected status {s}"));
        Assert.InRange(allowed, burst, burst + (rate * elapsed.TotalSeconds) + 1);
        Assert.All(good, s => Assert.Equal(200, s));
        Assert.Equal(40, good.Count);
        Assert.Equal(allowed, _upstream.UserAgents.Count(ua => ua.StartsWith("bad-agent", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AdminEndpoint_PutThenDelete_TakesEffectOnTheNextRequestAndRestoresService()
    {
        // Arrange
        await using var sidecar = await SidecarProcess.StartAsync(
            Args("--ApiCache:Throttling:Admin:Enabled=true", "--ApiCache:Throttling:Admin:BearerTokenFile=admin-token", "--ApiCache:Security:Mode=Trusted"),
            files: new Dictionary<string, string> { ["admin-token"] = "t0ken-for-tests\n" });
        using var client = new ThrottlingClient(sidecar.Address);
        var before = await client.StatusAsync("/api/v1/pods", "bad-agent/1.0");

        // Act: the README's one command, as an HTTP request.
        using var put = await client.SendAsync(
            "PUT",
            "/apicache/v1/throttles/bad-agent",
            "curl/8.5.0",
            "t0ken-for-tests",
            """{"userAgent":{"product":"bad-agent"},"verbs":["list","watch"],"resources":["pods"],"limiter":{"type":"TokenBucket","rate":0.001,"burst":1}}""");
        var first = await client.StatusAsync("/api/v1/pods", "bad-agent/1.0");
        var second = await client.StatusAsync("/api/v1/pods", "bad-agent/1.0");
        var unrelated = await client.StatusAsync("/api/v1/pods", "kubelet/v1.33.1");
        using var delete = await client.SendAsync("DELETE", "/apicache/v1/throttles/bad-agent", "curl/8.5.0", "t0ken-for-tests");
        var after = await client.StatusAsync("/api/v1/pods", "bad-agent/1.0");

        // Assert
        Assert.Equal(200, before);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(200, first);
        Assert.Equal(429, second);
        Assert.Equal(200, unrelated);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Equal(200, after);
        Assert.Contains(sidecar.StandardOutputLines, l => l.Contains("Throttling rules changed by admin (generation 2): 1 rule(s) in force [bad-agent]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FileReload_AddedRuleTakesEffectAndBadEditsLeaveTheRulesInForce()
    {
        // Arrange: the sidecar's own appsettings.json with one rule.
        await using var sidecar = await SidecarProcess.StartAsync(
            Args(),
            files: new Dictionary<string, string> { ["appsettings.json"] = AppSettings(Rule("first", "first-agent")) });
        using var client = new ThrottlingClient(sidecar.Address);
        var firstAtStart = await client.StatusAsync("/api/v1/pods", "first-agent/1.0");
        var secondAtStart = await client.StatusAsync("/api/v1/pods", "second-agent/1.0");
        var file = Path.Join(sidecar.WorkingDirectory, "appsettings.json");

        // Act 1: add a rule; the file watcher is asynchronous, so wait for its effect.
        await File.WriteAllTextAsync(file, AppSettings(Rule("first", "first-agent") + "," + Rule("second", "second-agent")));
        await Poll.UntilAsync(async () => await client.StatusAsync("/api/v1/pods", "second-agent/1.0") == 429, () => "the reloaded rule to throttle second-agent");

        // Act 2: a file that is not JSON, then one with an invalid rule (logged when refused), then a misspelt limiter type.
        await File.WriteAllTextAsync(file, "{ \"ApiCache\": { \"Throttling\": { \"Rules\": [ ");
        await File.WriteAllTextAsync(file, AppSettings("""{ "Name": "first", "UserAgent": { "Product": "first-agent" }, "Limiter": { "Type": "TokenBucket", "Rate": 0 } }"""));
        await Poll.UntilAsync(
            () => Task.FromResult(sidecar.StandardOutputLines.Any(l => l.Contains("Limiter:Rate must be greater than 0", StringComparison.Ordinal))),
            () => "the refused reload to be logged; stdout:\n" + string.Join("\n", sidecar.StandardOutputLines));
        await File.WriteAllTextAsync(file, AppSettings("""{ "Name": "first", "UserAgent": { "Product": "first-agent" }, "Limiter": { "Type": "Rejekt" } }"""));
        await Poll.UntilAsync(
            () => Task.FromResult(sidecar.StandardOutputLines.Any(l => l.Contains("Failed to convert configuration value 'Rejekt'", StringComparison.Ordinal))),
            () => "the misspelt type to be refused; stdout:\n" + string.Join("\n", sidecar.StandardOutputLines));
        var firstAfterBadEdits = await client.StatusAsync("/api/v1/pods", "first-agent/1.0");
        var secondAfterBadEdits = await client.StatusAsync("/api/v1/pods", "second-agent/1.0");

        // Act 3: removing the rules from the file restores service.
        await File.WriteAllTextAsync(file, AppSettings(""));
        await Poll.UntilAsync(async () => await client.StatusAsync("/api/v1/pods", "first-agent/1.0") == 200, () => "the emptied rule list to take effect");

        // Assert
        Assert.Equal(429, firstAtStart);
        Assert.Equal(200, secondAtStart);
        Assert.Equal(429, firstAfterBadEdits);
        Assert.Equal(429, secondAfterBadEdits);
        Assert.Equal(200, await client.StatusAsync("/api/v1/pods", "second-agent/1.0"));
        Assert.Contains(sidecar.StandardOutputLines, l => l.Contains("Throttling rules changed by file (generation 2): 2 rule(s) in force [first, second]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(
        "--ApiCache:Throttling:Rules:0:Limiter:Type=Concurrency",
        "ApiCache:Throttling:Rules:0:Limiter:MaxInFlight is required for a Concurrency limiter: the most requests in flight at once.")]
    [InlineData(
        "--ApiCache:Throttling:Rules:0:Limiter:Type=Rejekt",
        "ApiCache:Throttling:Rules:0 cannot be read: Failed to convert configuration value 'Rejekt' at 'ApiCache:Throttling:Rules:0:Limiter:Type'")]
    [InlineData(
        "--ApiCache:Throttling:Admin:Enabled=true",
        "ApiCache:Throttling:Admin:Enabled is true but no identity may use it")]
    [InlineData(
        "--ApiCache:Throttling:Admin:BearerTokenFile=missing-token",
        "ApiCache:Throttling:Admin:BearerTokenFile 'missing-token' does not exist.")]
    public async Task StartUp_BadThrottlingConfiguration_ExitsWithAConfigurationErrorNamingTheKey(string setting, string expected)
    {
        // Arrange: a valid rule and admin endpoint, but for the one setting under test.
        string[] args = setting.Contains("BearerTokenFile", StringComparison.Ordinal)
            ? [setting, "--ApiCache:Throttling:Admin:Enabled=true"]
            : setting.Contains("Admin", StringComparison.Ordinal)
                ? [setting, "--ApiCache:Security:Mode=Trusted"] // identities are required only where no SubjectAccessReview decides
                : [setting, "--ApiCache:Throttling:Rules:0:Name=bad", "--ApiCache:Throttling:Rules:0:UserAgent:Product=bad-agent"];

        // Act
        var (exitCode, _, stderr) = await SidecarProcess.RunToExitAsync(Args(args), Deadline);

        // Assert
        Assert.Equal(2, exitCode);
        Assert.Contains("apicache: configuration error: " + expected, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.33")]
    [InlineData("1.27")]
    public async Task Kubectl_ThrottledByARule_ExitsNonZeroShowingTheMessage(string version)
    {
        // Arrange: the built-in dev API server behind the sidecar (kubectl needs real discovery);
        // a rule rejects kubectl's pod lists. kubectl is run through a link named "kubectl", so it
        // sends "kubectl/v1.x.y ..." as a user's kubectl does.
        await using var sidecar = await SidecarProcess.StartAsync(
        [
            "--Sidecar:Listen=http://127.0.0.1:0",
            "--ApiCache:Cache:Enabled=false",
            "--ApiCache:Throttling:Rules:0:Name=no-kubectl-lists",
            "--ApiCache:Throttling:Rules:0:UserAgent:Product=kubectl",
            "--ApiCache:Throttling:Rules:0:Verbs:0=list",
            "--ApiCache:Throttling:Rules:0:Resources:0=pods",
            "--ApiCache:Throttling:Rules:0:Limiter:Type=Reject",
        ]);
        using var home = new TempDirectory();
        var link = Path.Join(home.Path, "bin", "kubectl");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, TestPaths.Kubectl(version));
        var kubectl = new KubectlRunner(version, KubectlRunner.WriteKubeconfig(home.Path, sidecar.Address), home.Path) { Executable = link };

        // Act
        var throttled = await kubectl.RunAsync("get", "pods");
        var allowed = await kubectl.RunAsync("get", "nodes");

        // Assert
        Assert.True(throttled.ExitCode != 0, throttled.ToString());
        Assert.Contains(
            "Error from server (TooManyRequests): Too many requests, please try again later: throttled by ApiCache rule \"no-kubectl-lists\" (rejects every request it matches) for User-Agent \"kubectl\".",
            throttled.Stderr,
            StringComparison.Ordinal);
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
        Assert.Contains("node-", allowed.Stdout, StringComparison.Ordinal);
    }

    private static string Rule(string name, string product) =>
        $$"""{ "Name": "{{name}}", "UserAgent": { "Product": "{{product}}" }, "Limiter": { "Type": "Reject" } }""";

    private static string AppSettings(string rules) => $$"""
        {
          "ApiCache": {
            "Throttling": {
              "Rules": [ {{rules}} ]
            }
          }
        }
        """;

    private string[] Args(params string[] extra) =>
    [
        "--ApiCache:Upstream:Servers:0:Url=" + _upstream.Address,
        "--Sidecar:Listen=http://127.0.0.1:0",
        "--ApiCache:Cache:Enabled=false",
        .. extra,
    ];
}
