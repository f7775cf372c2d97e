using ApiCache.Configuration;
using ApiCache.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace ApiCache.Tests.Throttling;

/// <summary>Rule definitions and request infos for throttling tests.</summary>
internal static class TestRules
{
    /// <summary>A token-bucket rule on product <paramref name="product"/>.</summary>
    public static ThrottleRuleOptions TokenBucket(string name, string product, double rate, int? burst = null, ThrottlePartitionBy partitionBy = ThrottlePartitionBy.UserAgent) => new()
    {
        Name = name,
        UserAgent = new UserAgentMatchOptions { Product = product },
        Limiter = new ThrottleLimiterOptions { Type = ThrottleLimiterType.TokenBucket, Rate = rate, Burst = burst },
        PartitionBy = partitionBy,
    };

    /// <summary>A concurrency rule on product <paramref name="product"/>.</summary>
    public static ThrottleRuleOptions Concurrency(string name, string product, int maxInFlight, ThrottlePartitionBy partitionBy = ThrottlePartitionBy.UserAgent) => new()
    {
        Name = name,
        UserAgent = new UserAgentMatchOptions { Product = product },
        Limiter = new ThrottleLimiterOptions { Type = ThrottleLimiterType.Concurrency, MaxInFlight = maxInFlight },
        PartitionBy = partitionBy,
    };

    /// <summary>A reject-all rule on product <paramref name="product"/>.</summary>
    public static ThrottleRuleOptions Reject(string name, string product) => new()
    {
        Name = name,
        UserAgent = new UserAgentMatchOptions { Product = product },
        Limiter = new ThrottleLimiterOptions { Type = ThrottleLimiterType.Reject },
    };

    /// <summary>What a request with <paramref name="method"/> on <paramref name="target"/> (path and query) asks for.</summary>
    public static KubernetesRequestInfo Info(string method, string target)
    {
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? new QueryCollection() : new QueryCollection(QueryHelpers.ParseQuery(target[question..]));
        return RequestInfoParser.Parse(method, path, query);
    }
}
