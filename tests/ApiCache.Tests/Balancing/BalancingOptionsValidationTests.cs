using ApiCache.Balancing;
using ApiCache.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiCache.Tests.Balancing;

/// <summary>The <c>ApiCache:Balancing</c> section: bound from configuration, checked with one clear message per mistake.</summary>
public sealed class BalancingOptionsValidationTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var options = new ApiCacheOptions();
        options.Cache.Enabled = false;

        var result = new ApiCacheOptionsValidator().Validate(null, options);

        Assert.False(result.Failed, string.Join("\n", result.Failures ?? []));
        Assert.Equal(0, options.Balancing.GoAwayChance);
        Assert.Equal(BalancingStrategy.LeastOutstanding, options.Balancing.Strategy);
    }

    [Fact]
    public void Validate_OutOfRangeValues_FailWithOneMessageEach()
    {
        // Arrange
        var options = new ApiCacheOptions();
        options.Cache.Enabled = false;
        var balancing = options.Balancing;
        balancing.GoAwayChance = 1.5;
        balancing.HealthCheckPeriod = TimeSpan.FromSeconds(-1);
        balancing.HealthCheckTimeout = TimeSpan.Zero;
        balancing.HealthyThreshold = 0;
        balancing.MaxCooldown = TimeSpan.Zero;
        balancing.ConnectionLifetime = TimeSpan.FromSeconds(-5);

        // Act
        var result = new ApiCacheOptionsValidator().Validate(null, options);

        // Assert
        Assert.True(result.Failed);
        Assert.Equal(
            [
                "ApiCache:Balancing:HealthCheckPeriod must be zero (no active checks) or positive (got -00:00:01).",
                "ApiCache:Balancing:HealthCheckTimeout must be positive (got 00:00:00).",
                "ApiCache:Balancing:HealthyThreshold must be at least 1 (got 0).",
                "ApiCache:Balancing:MaxCooldown must be positive (got 00:00:00).",
                "ApiCache:Balancing:ConnectionLifetime and ApiCache:Balancing:ConnectionLifetimeJitter must not be negative (got -00:00:05 and 00:05:00); zero ConnectionLifetime keeps connections open.",
                "ApiCache:Balancing:GoAwayChance must be a probability between 0 (off) and 1 (got 1.5); the apiserver's --goaway-chance is usually 0.001 to 0.02.",
            ],
            result.Failures);
    }

    [Fact]
    public void AddApiCache_BalancingSection_IsBoundAndThePoolIsTheAvailability()
    {
        // Arrange
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ApiCache:Upstream:Servers:0:Url"] = "https://10.0.0.1:6443",
            ["ApiCache:Upstream:Servers:1:Url"] = "https://10.0.0.2:6443",
            ["ApiCache:Security:Mode"] = "Trusted",
            ["ApiCache:Balancing:Strategy"] = "RoundRobin",
            ["ApiCache:Balancing:HealthCheckPeriod"] = "00:00:02",
            ["ApiCache:Balancing:GoAwayChance"] = "0.02",
            ["ApiCache:Balancing:ConnectionPoolsPerEndpoint"] = "4",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddApiCache(configuration);

        // Act
        using var provider = services.BuildServiceProvider();
        var balancing = provider.GetRequiredService<IOptions<ApiCacheOptions>>().Value.Balancing;

        // Assert
        Assert.Equal(BalancingStrategy.RoundRobin, balancing.Strategy);
        Assert.Equal(TimeSpan.FromSeconds(2), balancing.HealthCheckPeriod);
        Assert.Equal(0.02, balancing.GoAwayChance);
        Assert.Equal(4, balancing.ConnectionPoolsPerEndpoint);
        var pool = Assert.IsType<UpstreamPool>(provider.GetRequiredService<IEndpointAvailability>());
        Assert.Same(provider.GetRequiredService<UpstreamPool>(), pool);
        Assert.Equal(2, pool.States.Count);
        Assert.False(pool.IsPassThrough);
    }
}
