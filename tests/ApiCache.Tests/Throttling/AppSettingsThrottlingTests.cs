using ApiCache.Configuration;
using ApiCache.Tests.Infrastructure;
using ApiCache.Throttling;
using Microsoft.Extensions.Configuration;

namespace ApiCache.Tests.Throttling;

/// <summary>The repository's documented appsettings.json holds a valid Throttling section with the defaults.</summary>
public sealed class AppSettingsThrottlingTests
{
    [Fact]
    public void RepositoryAppSettings_ThrottlingSection_BindsToTheDefaultsAndValidates()
    {
        // Arrange
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Join(TestPaths.RepositoryRoot, "appsettings.json"), optional: false, reloadOnChange: false)
            .Build();
        var section = configuration.GetSection("ApiCache:Throttling");
        var options = new ThrottlingOptions();

        // Act
        section.Bind(options);
        ThrottleRuleBinder.Bind(section.GetSection("Rules"), options);
        var failures = new List<string>();
        ThrottlingValidator.Validate(options, failures);

        // Assert
        Assert.True(section.Exists());
        Assert.Empty(failures);
        var defaults = new ThrottlingOptions();
        Assert.Equal(
            (defaults.Enabled, defaults.MaxReadsInFlight, defaults.MaxMutationsInFlight, defaults.RetryAfterSeconds, defaults.TopUserAgents, defaults.Admin.Enabled),
            (options.Enabled, options.MaxReadsInFlight, options.MaxMutationsInFlight, options.RetryAfterSeconds, options.TopUserAgents, options.Admin.Enabled));
        Assert.Empty(options.Rules);
    }
}
