using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiCache.Tests.Throttling;

/// <summary>Configuration reloads reach the rules in force, through <c>AddApiCache(IConfiguration)</c>; reloads are triggered by the test.</summary>
public sealed class ThrottleConfigurationReloaderTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _directory = new();
    private ThrottlingUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await ThrottlingUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Reload_ChangedRules_TakeEffectAndInvalidOnesAreRefused()
    {
        // Arrange
        var file = _directory.Write("settings.json", Settings("""{ "Name": "a", "UserAgent": { "Product": "agent-a" }, "Limiter": { "Type": "Reject" } }"""));
        var configuration = new ConfigurationBuilder().AddJsonFile(file, optional: false, reloadOnChange: false).Build();
        await using var proxy = await LoopbackServer.StartAsync(app => app.MapApiCache(), services => services.AddApiCache(configuration));
        using var client = new ThrottlingClient(proxy.Address);
        var atStart = await client.StatusAsync("/api/v1/pods", "agent-a/1");

        // Act
        File.WriteAllText(file, Settings("""{ "Name": "b", "UserAgent": { "Product": "agent-b" }, "Limiter": { "Type": "Reject" } }"""));
        configuration.Reload();
        var aAfterReload = await client.StatusAsync("/api/v1/pods", "agent-a/1");
        var bAfterReload = await client.StatusAsync("/api/v1/pods", "agent-b/1");
        File.WriteAllText(file, Settings("""{ "Name": "b", "UserAgent": { "Product": "agent-b" }, "Limiter": { "Type": "Concurrency" } }"""));
        configuration.Reload();
        var bAfterInvalid = await client.StatusAsync("/api/v1/pods", "agent-b/1");
        using var metrics = await client.SendAsync("GET", "/metrics", "prometheus/2");
        var text = await metrics.Content.ReadAsStringAsync();

        // Assert
        Assert.Equal(429, atStart);
        Assert.Equal(200, aAfterReload);
        Assert.Equal(429, bAfterReload);
        Assert.Equal(429, bAfterInvalid);
        Assert.Contains("apicache_throttle_rule_changes_total{source=\"file\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("apicache_throttle_rule_changes_rejected_total{source=\"file\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("apicache_throttle_rules_generation 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartUp_MisspeltLimiterType_FailsInsteadOfDroppingTheRule()
    {
        // Arrange
        var file = _directory.Write("bad.json", Settings("""{ "Name": "a", "UserAgent": { "Product": "agent-a" }, "Limiter": { "Type": "Rejekt" } }"""));
        var configuration = new ConfigurationBuilder().AddJsonFile(file, optional: false, reloadOnChange: false).Build();

        // Act
        var error = await Assert.ThrowsAsync<OptionsValidationException>(
            () => LoopbackServer.StartAsync(app => app.MapApiCache(), services => services.AddApiCache(configuration)));

        // Assert
        Assert.Equal(
            ["ApiCache:Throttling:Rules:0 cannot be read: Failed to convert configuration value 'Rejekt' at 'ApiCache:Throttling:Rules:0:Limiter:Type' to type 'ApiCache.Configuration.ThrottleLimiterType'."],
            error.Failures);
    }

    private string Settings(string rules) => $$"""
        {
          "ApiCache": {
            "Upstream": { "Servers": [ { "Url": "{{_upstream.Address}}" } ] },
            "Cache": { "Enabled": false },
            "Security": { "Mode": "Trusted" },
            "Throttling": { "Rules": [ {{rules}} ] }
          }
        }
        """;
}
