using ApiCache.Configuration;
using ApiCache.Throttling;
using Microsoft.Extensions.Configuration;

namespace ApiCache.Tests.Throttling;

public sealed class ThrottlingValidatorTests
{
    [Fact]
    public void Validate_Defaults_ReportNothing()
    {
        // Arrange
        var failures = new List<string>();

        // Act
        ThrottlingValidator.Validate(new ThrottlingOptions(), failures);

        // Assert
        Assert.Empty(failures);
    }

    [Fact]
    public void Validate_BadGlobalSettings_NamesEachKey()
    {
        // Arrange
        var options = new ThrottlingOptions
        {
            MaxReadsInFlight = -1,
            MaxMutationsInFlight = -2,
            RetryAfterSeconds = 0,
            TopUserAgents = 0,
            Admin = new ThrottlingAdminOptions { Enabled = true, ClientCertificateCommonNames = [" "] },
        };
        var failures = new List<string>();

        // Act
        ThrottlingValidator.Validate(options, failures);

        // Assert
        Assert.Equal(
            [
                "ApiCache:Throttling:MaxReadsInFlight must be 0 (no limit) or more (got -1).",
                "ApiCache:Throttling:MaxMutationsInFlight must be 0 (no limit) or more (got -2).",
                "ApiCache:Throttling:RetryAfterSeconds must be between 1 and 3600 (got 0).",
                "ApiCache:Throttling:TopUserAgents must be between 1 and 1000 (got 0).",
                "ApiCache:Throttling:Admin:ClientCertificateCommonNames:0 is empty.",
            ],
            failures);
    }

    [Fact]
    public void Validate_AdminWithoutIdentity_IsRefused()
    {
        // Arrange
        var options = new ThrottlingOptions { Admin = new ThrottlingAdminOptions { Enabled = true } };
        var failures = new List<string>();

        // Act
        ThrottlingValidator.Validate(options, failures);

        // Assert
        Assert.Equal(
            ["ApiCache:Throttling:Admin:Enabled is true but no identity may use it: set ApiCache:Throttling:Admin:BearerTokenFile and/or ApiCache:Throttling:Admin:ClientCertificateCommonNames."],
            failures);
    }

    [Fact]
    public void Bind_AppSettingsJson_ProducesTheRulesInOrder()
    {
        // Arrange: the JSON shape the README documents.
        var json = """
            {
              "ApiCache": {
                "Throttling": {
                  "MaxReadsInFlight": 10,
                  "Rules": [
                    { "Name": "bad-agent", "UserAgent": { "Product": "bad-agent" }, "Verbs": [ "list" ], "Resources": [ "pods" ],
                      "Limiter": { "Type": "TokenBucket", "Rate": 0.5, "Burst": 3 } },
                    { "Name": "kubelets", "UserAgent": { "ProductPrefix": "kube" }, "PartitionBy": "Rule",
                      "Limiter": { "Type": "Concurrency", "MaxInFlight": 4 } }
                  ]
                }
              }
            }
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var options = new ApiCacheOptions();

        // Act
        configuration.GetSection("ApiCache").Bind(options);
        var failures = new List<string>();
        ThrottlingValidator.Validate(options.Throttling, failures);

        // Assert
        Assert.Empty(failures);
        Assert.Equal(10, options.Throttling.MaxReadsInFlight);
        Assert.Equal(["bad-agent", "kubelets"], options.Throttling.Rules.Select(r => r.Name));
        var first = options.Throttling.Rules[0];
        Assert.Equal(ThrottleLimiterType.TokenBucket, first.Limiter!.Type);
        Assert.Equal(0.5, first.Limiter.Rate);
        Assert.Equal(3, first.Limiter.Burst);
        Assert.Equal(["list"], first.Verbs!);
        Assert.Equal(ThrottlePartitionBy.UserAgent, first.PartitionBy);
        Assert.Equal(ThrottlePartitionBy.Rule, options.Throttling.Rules[1].PartitionBy);
        Assert.Equal("kube", options.Throttling.Rules[1].UserAgent!.ProductPrefix);
    }

    [Fact]
    public void ApiCacheOptionsValidator_BadRule_FailsWithTheRuleMessage()
    {
        // Arrange
        var options = new ApiCacheOptions();
        options.Cache.Enabled = false;
        options.Throttling.Rules.Add(TestRules.TokenBucket("r", "x", rate: 0));

        // Act
        var result = new ApiCacheOptionsValidator().Validate(null, options);

        // Assert
        Assert.True(result.Failed);
        Assert.Equal(["ApiCache:Throttling:Rules:0:Limiter:Rate must be greater than 0 and at most 1000000 (got 0)."], result.Failures);
    }
}
