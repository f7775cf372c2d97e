namespace ApiCache.Throttling;

/// <summary>What a change to the throttling rules did.</summary>
/// <param name="Status">The outcome.</param>
/// <param name="RuleSet">The rules in force afterwards (the previous ones unless the change was applied).</param>
/// <param name="Errors">Why the change was refused (validation messages), else empty.</param>
internal sealed record ThrottleUpdate(ThrottleUpdateStatus Status, ThrottleRuleSet RuleSet, IReadOnlyList<string> Errors);
