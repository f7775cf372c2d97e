namespace ApiCache.Configuration;

/// <summary>
/// One throttling rule: which requests it matches (by User-Agent, optionally narrowed by verb,
/// resource and namespace) and the limiter they share. Bound from an entry of
/// <c>ApiCache:Throttling:Rules</c>, or sent as JSON to the admin endpoint.
/// </summary>
public sealed class ThrottleRuleOptions
{
    /// <summary>The rule's unique name (lower-case letters, digits, '-' and '.'; at most 63 characters); 429 messages and metrics name it.</summary>
    public string? Name { get; set; }

    /// <summary>Which User-Agents the rule matches: exactly one of its properties must be set.</summary>
    public UserAgentMatchOptions? UserAgent { get; set; }

#pragma warning disable CA2227 // Options classes are bound from configuration, which needs a setter.
    /// <summary>
    /// The request verbs matched (<c>get</c>, <c>list</c>, <c>watch</c>, <c>create</c>,
    /// <c>update</c>, <c>patch</c>, <c>delete</c>, <c>deletecollection</c>, <c>proxy</c>);
    /// empty or null: every verb.
    /// </summary>
    public IList<string>? Verbs { get; set; }

    /// <summary>
    /// The resources matched, as <c>resource[.group][/subresource]</c>: <c>pods</c> (the core
    /// group, with every subresource), <c>deployments.apps</c>, <c>pods/log</c> (that subresource
    /// only). Empty or null: every request, non-resource ones included.
    /// </summary>
    public IList<string>? Resources { get; set; }

    /// <summary>The namespaces matched; empty or null: any namespace, cluster-scoped requests included.</summary>
    public IList<string>? Namespaces { get; set; }
#pragma warning restore CA2227

    /// <summary>What happens to the requests the rule matches.</summary>
    public ThrottleLimiterOptions? Limiter { get; set; }

    /// <summary>
    /// Whether each User-Agent string the rule matches gets a limiter of its own
    /// (<see cref="ThrottlePartitionBy.UserAgent"/>, the default) or all of them share the rule's
    /// (<see cref="ThrottlePartitionBy.Rule"/>).
    /// </summary>
    public ThrottlePartitionBy PartitionBy { get; set; } = ThrottlePartitionBy.UserAgent;
}
