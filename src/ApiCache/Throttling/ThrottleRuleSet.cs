using ApiCache.Requests;

namespace ApiCache.Throttling;

/// <summary>
/// The rules in force: an immutable, ordered list replaced as a whole (atomically) on every change,
/// so a request matches against one consistent set. The first rule that matches decides.
/// </summary>
internal sealed class ThrottleRuleSet
{
    private readonly ThrottleRule[] _rules;

    /// <summary>Rules <paramref name="rules"/> in order, the <paramref name="generation"/>-th change, made by <paramref name="source"/>.</summary>
    public ThrottleRuleSet(IEnumerable<ThrottleRule> rules, long generation, ThrottleChangeSource source)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = [.. rules];
        Generation = generation;
        Source = source;
    }

    /// <summary>No rules, before any configuration.</summary>
    public static ThrottleRuleSet Empty { get; } = new([], 0, ThrottleChangeSource.File);

    /// <summary>The rules in evaluation order.</summary>
    public IReadOnlyList<ThrottleRule> Rules => _rules;

    /// <summary>Counts the changes: 1 for the rules read at start-up, one more for each change since.</summary>
    public long Generation { get; }

    /// <summary>Who made the last change.</summary>
    public ThrottleChangeSource Source { get; }

    /// <summary>The first rule that matches the request, or null.</summary>
    public ThrottleRule? Match(string product, KubernetesRequestInfo info)
    {
        foreach (var rule in _rules)
        {
            if (rule.Matches(product, info))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>The rule named <paramref name="name"/>, or null.</summary>
    public ThrottleRule? Find(string name) => Array.Find(_rules, r => r.Name == name);
}
