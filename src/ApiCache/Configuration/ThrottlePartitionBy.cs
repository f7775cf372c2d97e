namespace ApiCache.Configuration;

/// <summary>Which requests matched by a throttling rule share one limiter.</summary>
public enum ThrottlePartitionBy
{
    /// <summary>Requests with the same User-Agent string (each distinct string gets its own limiter).</summary>
    UserAgent,

    /// <summary>All requests the rule matches.</summary>
    Rule,
}
