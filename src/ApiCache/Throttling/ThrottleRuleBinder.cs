using ApiCache.Configuration;
using Microsoft.Extensions.Configuration;

namespace ApiCache.Throttling;

/// <summary>
/// Binds <c>ApiCache:Throttling:Rules</c> one rule at a time and strictly. The configuration
/// binder silently drops a list entry it cannot convert (a misspelt limiter type would make the
/// rule vanish) and ignores unknown keys (a misspelt <c>Rate</c> would leave the limit unset);
/// here both become validation failures naming the key, so start-up fails and a reload is refused.
/// </summary>
internal static class ThrottleRuleBinder
{
    /// <summary>Replaces <paramref name="options"/>' rules with those of <paramref name="rules"/>, recording what could not be bound.</summary>
    public static void Bind(IConfigurationSection rules, ThrottlingOptions options)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(options);
        options.Rules.Clear();
        options.BindingErrors.Clear();
        foreach (var section in rules.GetChildren())
        {
            try
            {
                var rule = new ThrottleRuleOptions();
                section.Bind(rule, binder => binder.ErrorOnUnknownConfiguration = true);
                options.Rules.Add(rule);
            }
            catch (InvalidOperationException e)
            {
                options.BindingErrors.Add($"{section.Path} cannot be read: {e.Message}");
            }
        }
    }
}
