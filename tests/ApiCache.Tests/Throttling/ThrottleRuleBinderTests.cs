using ApiCache.Configuration;
using ApiCache.Throttling;
using Microsoft.Extensions.Configuration;

namespace ApiCache.Tests.Throttling;

public sealed class ThrottleRuleBinderTests
{
    [Fact]
    public void Bind_ValidRules_KeepsOrderIncludingTenAndMore()
    {
        // Arrange: keys 0..11, which a plain string sort would put out of order (10, 11 before 2).
        var values = new Dictionary<string, string?>();
        for (var i = 0; i < 12; i++)
        {
            values[$"Rules:{i}:Name"] = "r" + i;
            values[$"Rules:{i}:UserAgent:Product"] = "p" + i;
            values[$"Rules:{i}:Limiter:Type"] = "Reject";
        }

        var options = new ThrottlingOptions();

        // Act
        ThrottleRuleBinder.Bind(Configuration(values).GetSection("Rules"), options);

        // Assert
        Assert.Empty(options.BindingErrors);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => "r" + i), options.Rules.Select(r => r.Name));
    }

    [Fact]
    public void Bind_MisspeltEnumAndUnknownKey_RecordErrorsInsteadOfDroppingTheRule()
    {
        // Arrange
        var configuration = Configuration(new Dictionary<string, string?>
        {
            ["ApiCache:Throttling:Rules:0:Name"] = "good",
            ["ApiCache:Throttling:Rules:0:UserAgent:Product"] = "a",
            ["ApiCache:Throttling:Rules:0:Limiter:Type"] = "Reject",
            ["ApiCache:Throttling:Rules:1:Name"] = "typo",
            ["ApiCache:Throttling:Rules:1:UserAgent:Product"] = "b",
            ["ApiCache:Throttling:Rules:1:Limiter:Type"] = "Bucket",
            ["ApiCache:Throttling:Rules:2:Name"] = "unknown-key",
            ["ApiCache:Throttling:Rules:2:UserAgent:Product"] = "c",
            ["ApiCache:Throttling:Rules:2:Limiter:Type"] = "TokenBucket",
            ["ApiCache:Throttling:Rules:2:Limiter:Rat"] = "1",
        });
        var options = new ApiCacheOptions();

        // Act
        ThrottleRuleBinder.Bind(configuration.GetSection("ApiCache:Throttling:Rules"), options.Throttling);
        var failures = new List<string>();
        ThrottlingValidator.Validate(options.Throttling, failures);

        // Assert
        Assert.Equal(["good"], options.Throttling.Rules.Select(r => r.Name));
        Assert.Equal(2, failures.Count);
        Assert.Equal(
            "ApiCache:Throttling:Rules:1 cannot be read: Failed to convert configuration value 'Bucket' at 'ApiCache:Throttling:Rules:1:Limiter:Type' to type 'ApiCache.Configuration.ThrottleLimiterType'.",
            failures[0]);
        Assert.StartsWith("ApiCache:Throttling:Rules:2 cannot be read: ", failures[1], StringComparison.Ordinal);
        Assert.Contains("'Rat'", failures[1], StringComparison.Ordinal);
    }

    private static IConfigurationRoot Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
