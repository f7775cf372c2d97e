using ApiCache.Configuration;
using ApiCache.Throttling;

namespace ApiCache.Tests.Throttling;

public sealed class ThrottleRuleValidatorTests
{
    private static readonly OptionPath ConfigPath = OptionPath.Configuration("ApiCache:Throttling:Rules");

    [Fact]
    public void ValidateList_ValidRulesOfEveryKind_ReportsNothing()
    {
        // Arrange
        var rules = new List<ThrottleRuleOptions?>
        {
            TestRules.TokenBucket("bad-agent", "bad-agent", 0.5, 5),
            TestRules.Concurrency("kubelets", "kubelet", 10, ThrottlePartitionBy.Rule),
            TestRules.Reject("block.kubectl", "kubectl"),
            new()
            {
                Name = "lists-in-team-a",
                UserAgent = new UserAgentMatchOptions { Regex = "^kube-" },
                Verbs = ["LIST", "watch"],
                Resources = ["pods", "deployments.apps", "pods/log", "widgets.example.com/status"],
                Namespaces = ["team-a"],
                Limiter = new ThrottleLimiterOptions { Type = ThrottleLimiterType.TokenBucket, Rate = 100 },
            },
        };
        var failures = new List<string>();

        // Act
        ThrottleRuleValidator.ValidateList(rules, ConfigPath, failures);

        // Assert
        Assert.Empty(failures);
    }

    [Theory]
    [InlineData(null, "ApiCache:Throttling:Rules:0:Name is required")]
    [InlineData("", "ApiCache:Throttling:Rules:0:Name is required")]
    [InlineData("Bad Name", "ApiCache:Throttling:Rules:0:Name \"Bad Name\" is not a valid rule name")]
    [InlineData("-dash", "ApiCache:Throttling:Rules:0:Name \"-dash\" is not a valid rule name")]
    [InlineData("(max-inflight)", "is not a valid rule name")]
    public void ValidateList_BadName_NamesTheKey(string? name, string expected)
    {
        // Arrange
        var rule = TestRules.Reject("x", "kubectl");
        rule.Name = name;
        var failures = new List<string>();

        // Act
        ThrottleRuleValidator.ValidateList([rule], ConfigPath, failures);

        // Assert
        Assert.Contains(failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void ValidateList_NameTooLong_IsRefused()
    {
        // Arrange
        var rule = TestRules.Reject(new string('a', 64), "kubectl");
        var failures = new List<string>();

        // Act
        ThrottleRuleValidator.ValidateList([rule], ConfigPath, failures);

        // Assert
        Assert.Single(failures);
        Assert.Contains("at most 63", failures[0], StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateList_DuplicateNames_NamesBothEntries()
    {
        // Arrange
        var failures = new List<string>();

        // Act
        ThrottleRuleValidator.ValidateList(
            [TestRules.Reject("same", "a"), TestRules.Reject("other", "b"), TestRules.Reject("same", "c")],
            ConfigPath,
            failures);

        // Assert
        var failure = Assert.Single(failures);
        Assert.Equal("ApiCache:Throttling:Rules:2:Name \"same\" is already the name of ApiCache:Throttling:Rules:0: rule names must be unique.", failure);
    }

    [Fact]
    public void ValidateList_NullEntry_IsRefused()
    {
        // Arrange
        var failures = new List<string>();

        // Act
        ThrottleRuleValidator.ValidateList([TestRules.Reject("a", "a"), null], ConfigPath, failures);

        // Assert
        Assert.Equal(["ApiCache:Throttling:Rules:1 is empty: a rule needs at least Name, UserAgent and Limiter."], failures);
    }

    [Fact]
    public void ValidateList_TooManyRules_IsRefused()
    {
        // Arrange
        var rules = Enumerable.Range(0, ThrottleRuleValidator.MaxRules + 1)
            .Select(i => (ThrottleRuleOptions?)TestRules.Reject("r" + i, "p"))
            .ToList();
        var failures = new List<string>();

        // Act
        ThrottleRuleValidator.ValidateList(rules, ConfigPath, failures);

        // Assert
        Assert.Equal([$"ApiCache:Throttling:Rules holds {ThrottleRuleValidator.MaxRules + 1} rules; at most {ThrottleRuleValidator.MaxRules} are allowed."], failures);
    }

    [Theory]
    [InlineData(null, null, null, "ApiCache:Throttling:Rules:0:UserAgent must set exactly one of Product, ProductPrefix and Regex (got none).")]
    [InlineData("a", null, "b", "ApiCache:Throttling:Rules:0:UserAgent must set exactly one of Product, ProductPrefix and Regex (got Product and Regex).")]
    [InlineData("a", "b", "c", "ApiCache:Throttling:Rules:0:UserAgent must set exactly one of Product, ProductPrefix and Regex (got Product and ProductPrefix and Regex).")]
    [InlineData("kubectl/v1.33", null, null, "ApiCache:Throttling:Rules:0:UserAgent:Product \"kubectl/v1.33\" is not a User-Agent product")]
    [InlineData("", null, null, "ApiCache:Throttling:Rules:0:UserAgent:Product is empty")]
    [InlineData(null, "kube ", null, "ApiCache:Throttling:Rules:0:UserAgent:ProductPrefix \"kube \" is not a User-Agent product")]
    [InlineData(null, null, "(unclosed", "ApiCache:Throttling:Rules:0:UserAgent:Regex \"(unclosed\" is not a valid regular expression: ")]
    public void ValidateList_BadUserAgentMatch_NamesTheKey(string? product, string? prefix, string? regex, string expected)
    {
        // Arrange
        var rule = TestRules.Reject("r", "x");
        rule.UserAgent = new UserAgentMatchOptions { Product = product, ProductPrefix = prefix, Regex = regex };
        var failures = new List<string>();

        // Act
        ThrottleRuleValidator.ValidateList([rule], ConfigPath, failures);

        // Assert
        var failure = Assert.Single(failures);
        Assert.StartsWith(expected, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateList_MissingUserAgentAndLimiter_ReportsBoth()
    {
        // Arrange
        var failures = new List<string>();

        // Act
        ThrottleRuleValidator.ValidateList([new ThrottleRuleOptions { Name = "r" }], ConfigPath, failures);

        // Assert
        Assert.Equal(2, failures.Count);
        Assert.StartsWith("ApiCache:Throttling:Rules:0:UserAgent is required", failures[0], StringComparison.Ordinal);
        Assert.StartsWith("ApiCache:Throttling:Rules:0:Limiter is required", failures[1], StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateList_UnknownVerbBadResourceBadNamespace_NamesEachItem()
    {
        // Arrange
        var rule = TestRules.Reject("r", "x");
        rule.Verbs = ["list", "lsit"];
        rule.Resources = ["pods", "Pods", "pods/"];
        rule.Namespaces = ["team-a", "Team_B", ""];
        var failures = new List<string>();

        // Act
        ThrottleRuleValidator.ValidateList([rule], ConfigPath, failures);

        // Assert
        Assert.Equal(5, failures.Count);
        Assert.StartsWith("ApiCache:Throttling:Rules:0:Verbs:1 \"lsit\" is not a verb; use one of get, list, watch,", failures[0], StringComparison.Ordinal);
        Assert.StartsWith("ApiCache:Throttling:Rules:0:Resources:1 \"Pods\" is not a resource", failures[1], StringComparison.Ordinal);
        Assert.StartsWith("ApiCache:Throttling:Rules:0:Resources:2 \"pods/\" is not a resource", failures[2], StringComparison.Ordinal);
        Assert.StartsWith("ApiCache:Throttling:Rules:0:Namespaces:1 \"Team_B\" is not a namespace name", failures[3], StringComparison.Ordinal);
        Assert.StartsWith("ApiCache:Throttling:Rules:0:Namespaces:2 \"\" is not a namespace name", failures[4], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ThrottleLimiterType.TokenBucket, null, null, null, "Limiter:Rate is required for a TokenBucket limiter")]
    [InlineData(ThrottleLimiterType.TokenBucket, 0.0, null, null, "Limiter:Rate must be greater than 0 and at most 1000000 (got 0).")]
    [InlineData(ThrottleLimiterType.TokenBucket, -1.0, null, null, "Limiter:Rate must be greater than 0 and at most 1000000 (got -1).")]
    [InlineData(ThrottleLimiterType.TokenBucket, double.NaN, null, null, "Limiter:Rate must be greater than 0 and at most 1000000 (got NaN).")]
    [InlineData(ThrottleLimiterType.TokenBucket, 1.0, 0, null, "Limiter:Burst must be between 1 and 1000000 (got 0).")]
    [InlineData(ThrottleLimiterType.TokenBucket, 1.0, null, 3, "Limiter:MaxInFlight applies only to Concurrency limiters, not to TokenBucket: remove it.")]
    [InlineData(ThrottleLimiterType.Concurrency, null, null, null, "Limiter:MaxInFlight is required for a Concurrency limiter")]
    [InlineData(ThrottleLimiterType.Concurrency, null, null, 0, "Limiter:MaxInFlight must be between 1 and 1000000 (got 0).")]
    [InlineData(ThrottleLimiterType.Concurrency, 2.0, null, 3, "Limiter:Rate applies only to TokenBucket limiters, not to Concurrency: remove it.")]
    [InlineData(ThrottleLimiterType.Reject, null, 5, null, "Limiter:Burst applies only to TokenBucket limiters, not to Reject: remove it.")]
    [InlineData(null, null, null, null, "Limiter:Type is required: TokenBucket, Concurrency or Reject.")]
    [InlineData((ThrottleLimiterType)7, null, null, null, "Limiter:Type must be TokenBucket, Concurrency or Reject (got 7).")]
    public void ValidateList_BadLimiter_NamesTheKey(ThrottleLimiterType? type, double? rate, int? burst, int? maxInFlight, string expected)
    {
        // Arrange
        var rule = TestRules.Reject("r", "x");
        rule.Limiter = new ThrottleLimiterOptions { Type = type, Rate = rate, Burst = burst, MaxInFlight = maxInFlight };
        var failures = new List<string>();

        // Act
        ThrottleRuleValidator.ValidateList([rule], ConfigPath, failures);

        // Assert
        var failure = Assert.Single(failures);
        Assert.StartsWith("ApiCache:Throttling:Rules:0:" + expected, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateList_JsonPath_NamesJsonProperties()
    {
        // Arrange
        var rule = TestRules.TokenBucket("r", "x", 0);
        rule.Verbs = ["nope"];
        var failures = new List<string>();

        // Act
        ThrottleRuleValidator.ValidateList([TestRules.Reject("a", "a"), rule], OptionPath.JsonPath("rules"), failures);

        // Assert
        Assert.Equal(2, failures.Count);
        Assert.StartsWith("rules[1].verbs[0] \"nope\" is not a verb", failures[0], StringComparison.Ordinal);
        Assert.StartsWith("rules[1].limiter.rate must be greater than 0", failures[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SingleRuleJsonRoot_NamesPropertiesFromTheRule()
    {
        // Arrange
        var rule = new ThrottleRuleOptions { Name = "r", UserAgent = new UserAgentMatchOptions { Product = "x" }, Limiter = new ThrottleLimiterOptions() };
        var failures = new List<string>();

        // Act
        ThrottleRuleValidator.Validate(rule, OptionPath.JsonPath(""), failures);

        // Assert
        Assert.Equal(["limiter.type is required: TokenBucket, Concurrency or Reject."], failures);
    }

    [Theory]
    [InlineData("pods", "pods", "", null)]
    [InlineData("deployments.apps", "deployments", "apps", null)]
    [InlineData("pods/log", "pods", "", "log")]
    [InlineData("widgets.example.com/status", "widgets", "example.com", "status")]
    public void ParseResource_Entry_SplitsResourceGroupAndSubresource(string entry, string resource, string group, string? subresource)
    {
        // Act
        var parsed = ThrottleRuleValidator.ParseResource(entry);

        // Assert
        Assert.Equal((resource, group, subresource), parsed);
    }
}
