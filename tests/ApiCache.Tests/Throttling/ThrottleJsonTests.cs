using System.Text.Json;
using ApiCache.Configuration;
using ApiCache.Throttling;

namespace ApiCache.Tests.Throttling;

public sealed class ThrottleJsonTests
{
    [Fact]
    public void Deserialize_CamelCaseRule_ReadsEveryField()
    {
        // Arrange
        var json = """
            {"name":"bad-agent","userAgent":{"regex":"^bad-"},"verbs":["list"],"resources":["pods"],"namespaces":["team-a"],
             "limiter":{"type":"TokenBucket","rate":0.25,"burst":2},"partitionBy":"Rule"}
            """;

        // Act
        var rule = JsonSerializer.Deserialize<ThrottleRuleOptions>(json, ThrottleJson.Options)!;

        // Assert
        Assert.Equal("bad-agent", rule.Name);
        Assert.Equal("^bad-", rule.UserAgent!.Regex);
        Assert.Equal(["list"], rule.Verbs!);
        Assert.Equal(["pods"], rule.Resources!);
        Assert.Equal(["team-a"], rule.Namespaces!);
        Assert.Equal(ThrottleLimiterType.TokenBucket, rule.Limiter!.Type);
        Assert.Equal(0.25, rule.Limiter.Rate);
        Assert.Equal(2, rule.Limiter.Burst);
        Assert.Equal(ThrottlePartitionBy.Rule, rule.PartitionBy);
    }

    [Theory]
    [InlineData("""{"name":"r","limiter":{"type":"TokenBucket","rat":1}}""", "'rat'")]
    [InlineData("""{"name":"r","limiter":{"type":0}}""", "$.limiter.type")]
    [InlineData("""{"name":"r","limiter":{"type":"Bucket"}}""", "$.limiter.type")]
    [InlineData("""{"name":"r","limiter":{"type":"Reject","rate":"1"}}""", "$.limiter.rate")]
    [InlineData("""{"name":"r",""", "")]
    public void Deserialize_MalformedRule_Throws(string json, string mentioned)
    {
        // Act
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ThrottleRuleOptions>(json, ThrottleJson.Options));

        // Assert
        Assert.Contains(mentioned, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fingerprint_EqualDefinitions_AreEqualAndLeaveOutNulls()
    {
        // Arrange
        var a = TestRules.TokenBucket("r", "x", 1, 2);
        var b = TestRules.TokenBucket("r", "x", 1, 2);

        // Act
        var fingerprint = ThrottleJson.Fingerprint(a);

        // Assert
        Assert.Equal(fingerprint, ThrottleJson.Fingerprint(b));
        Assert.Equal("""{"name":"r","userAgent":{"product":"x"},"limiter":{"type":"TokenBucket","rate":1,"burst":2},"partitionBy":"UserAgent"}""", fingerprint);
        Assert.NotEqual(fingerprint, ThrottleJson.Fingerprint(TestRules.TokenBucket("r", "x", 1, 3)));
    }

    [Fact]
    public void Clone_Rule_IsIndependentOfTheOriginal()
    {
        // Arrange
        var original = TestRules.Reject("r", "x");
        original.Verbs = ["list"];

        // Act
        var copy = ThrottleJson.Clone(original);
        original.Verbs.Add("get");
        original.UserAgent!.Product = "y";

        // Assert
        Assert.Equal(["list"], copy.Verbs!);
        Assert.Equal("x", copy.UserAgent!.Product);
    }
}
