using System.Globalization;
using System.Text.RegularExpressions;
using ApiCache.Configuration;

namespace ApiCache.Throttling;

/// <summary>
/// Checks throttling rules, from configuration (start-up and file reloads) and from the admin
/// endpoint alike. Each failure is one sentence naming the key (or JSON path) at fault, what is
/// wrong, and what would be right.
/// </summary>
internal static partial class ThrottleRuleValidator
{
    /// <summary>The most rules a rule set may hold: every request is matched against them in order.</summary>
    public const int MaxRules = 1000;

    /// <summary>The largest rate, burst or in-flight count a rule may set.</summary>
    public const int MaxLimit = 1_000_000;

    /// <summary>The longest regular expression accepted.</summary>
    public const int MaxRegexLength = 1000;

    /// <summary>The verbs a rule may name: the apiserver's request verbs.</summary>
    public static readonly IReadOnlyList<string> KnownVerbs =
        ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "proxy"];

    /// <summary>How long one regular expression may run against one product before it counts as no match.</summary>
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(50);

    /// <summary>Checks a whole rule list: every rule, unique names, and the list's length.</summary>
    public static void ValidateList(IList<ThrottleRuleOptions?>? rules, OptionPath path, List<string> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (rules is null)
        {
            return;
        }

        if (rules.Count > MaxRules)
        {
            failures.Add($"{path} holds {rules.Count} rules; at most {MaxRules} are allowed.");
        }

        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var rulePath = path.Item(i);
            var rule = rules[i];
            if (rule is null)
            {
                failures.Add($"{rulePath} is empty: a rule needs at least Name, UserAgent and Limiter.");
                continue;
            }

            Validate(rule, rulePath, failures);
            if (rule.Name is { Length: > 0 } name)
            {
                if (names.TryGetValue(name, out var first))
                {
                    failures.Add($"{rulePath.Child("Name")} \"{name}\" is already the name of {path.Item(first)}: rule names must be unique.");
                }
                else
                {
                    names.Add(name, i);
                }
            }
        }
    }

    /// <summary>Checks one rule.</summary>
    public static void Validate(ThrottleRuleOptions rule, OptionPath path, List<string> failures)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(failures);
        ValidateName(rule.Name, path.Child("Name"), failures);
        ValidateUserAgent(rule.UserAgent, path.Child("UserAgent"), failures);
        ValidateVerbs(rule.Verbs, path.Child("Verbs"), failures);
        ValidateResources(rule.Resources, path.Child("Resources"), failures);
        ValidateNamespaces(rule.Namespaces, path.Child("Namespaces"), failures);
        ValidateLimiter(rule.Limiter, path.Child("Limiter"), failures);
        if (!Enum.IsDefined(rule.PartitionBy))
        {
            failures.Add($"{path.Child("PartitionBy")} must be UserAgent or Rule (got {rule.PartitionBy}).");
        }
    }

    /// <summary>Whether <paramref name="name"/> is a valid rule name (also checked on admin URLs).</summary>
    public static bool IsValidName(string? name) => name is { Length: > 0 and <= 63 } && NamePattern().IsMatch(name);

    /// <summary>Parses a checked <c>resource[.group][/subresource]</c> entry.</summary>
    public static (string Resource, string Group, string? Subresource) ParseResource(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var slash = entry.IndexOf('/', StringComparison.Ordinal);
        var qualified = slash < 0 ? entry : entry[..slash];
        var subresource = slash < 0 ? null : entry[(slash + 1)..];
        var dot = qualified.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? (qualified, "", subresource) : (qualified[..dot], qualified[(dot + 1)..], subresource);
    }

    private static void ValidateName(string? name, OptionPath path, List<string> failures)
    {
        if (string.IsNullOrEmpty(name))
        {
            failures.Add($"{path} is required: a unique name for the rule, e.g. \"bad-agent\".");
        }
        else if (!IsValidName(name))
        {
            failures.Add($"{path} \"{name}\" is not a valid rule name: use at most 63 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit.");
        }
    }

    private static void ValidateUserAgent(UserAgentMatchOptions? match, OptionPath path, List<string> failures)
    {
        if (match is null)
        {
            failures.Add($"{path} is required: set exactly one of Product, ProductPrefix and Regex.");
            return;
        }

        var set = new List<string>(3);
        if (match.Product is not null)
        {
            set.Add("Product");
        }

        if (match.ProductPrefix is not null)
        {
            set.Add("ProductPrefix");
        }

        if (match.Regex is not null)
        {
            set.Add("Regex");
        }

        if (set.Count != 1)
        {
            var got = set.Count == 0 ? "none" : string.Join(" and ", set);
            failures.Add($"{path} must set exactly one of Product, ProductPrefix and Regex (got {got}).");
            return;
        }

        if (match.Product is not null)
        {
            ValidateProduct(match.Product, path.Child("Product"), failures);
        }
        else if (match.ProductPrefix is not null)
        {
            ValidateProduct(match.ProductPrefix, path.Child("ProductPrefix"), failures);
        }
        else
        {
            ValidateRegex(match.Regex!, path.Child("Regex"), failures);
        }
    }

    private static void ValidateProduct(string product, OptionPath path, List<string> failures)
    {
        if (product.Length == 0)
        {
            failures.Add($"{path} is empty: name a User-Agent product such as \"kubectl\" (use Regex \"^$\" to match requests without a User-Agent).");
        }
        else if (product.Length > UserAgentProduct.MaxLength || product.AsSpan().IndexOfAny("/ (\t") >= 0)
        {
            failures.Add($"{path} \"{product}\" is not a User-Agent product: rules match the part before the first '/', e.g. \"kubelet\" for \"kubelet/v1.33.1 (linux/amd64) kubernetes/abc\" (at most {UserAgentProduct.MaxLength} characters).");
        }
    }

    private static void ValidateRegex(string pattern, OptionPath path, List<string> failures)
    {
        if (pattern.Length > MaxRegexLength)
        {
            failures.Add($"{path} is {pattern.Length} characters long; at most {MaxRegexLength} are allowed.");
            return;
        }

        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, RegexTimeout);
        }
        catch (ArgumentException e)
        {
            failures.Add($"{path} \"{pattern}\" is not a valid regular expression: {e.Message}");
        }
    }

    private static void ValidateVerbs(IList<string>? verbs, OptionPath path, List<string> failures)
    {
        if (verbs is null)
        {
            return;
        }

        for (var i = 0; i < verbs.Count; i++)
        {
            if (verbs[i] is not { } verb || !KnownVerbs.Contains(verb.ToLowerInvariant()))
            {
                failures.Add($"{path.Item(i)} \"{verbs[i]}\" is not a verb; use one of {string.Join(", ", KnownVerbs)}.");
            }
        }
    }

    private static void ValidateResources(IList<string>? resources, OptionPath path, List<string> failures)
    {
        if (resources is null)
        {
            return;
        }

        for (var i = 0; i < resources.Count; i++)
        {
            if (resources[i] is not { } entry || !ResourcePattern().IsMatch(entry))
            {
                failures.Add($"{path.Item(i)} \"{resources[i]}\" is not a resource: use resource[.group][/subresource] in lower case, e.g. \"pods\", \"deployments.apps\", \"pods/log\".");
            }
        }
    }

    private static void ValidateNamespaces(IList<string>? namespaces, OptionPath path, List<string> failures)
    {
        if (namespaces is null)
        {
            return;
        }

        for (var i = 0; i < namespaces.Count; i++)
        {
            if (namespaces[i] is not { Length: > 0 and <= 63 } ns || !NamespacePattern().IsMatch(ns))
            {
                failures.Add($"{path.Item(i)} \"{namespaces[i]}\" is not a namespace name (lower-case letters, digits and '-', at most 63 characters).");
            }
        }
    }

    private static void ValidateLimiter(ThrottleLimiterOptions? limiter, OptionPath path, List<string> failures)
    {
        if (limiter is null)
        {
            failures.Add($"{path} is required: {{ \"Type\": \"TokenBucket\", \"Rate\": 1, \"Burst\": 5 }}, {{ \"Type\": \"Concurrency\", \"MaxInFlight\": 10 }} or {{ \"Type\": \"Reject\" }}.");
            return;
        }

        switch (limiter.Type)
        {
            case null:
                failures.Add($"{path.Child("Type")} is required: TokenBucket, Concurrency or Reject.");
                return;
            case ThrottleLimiterType.TokenBucket:
                if (limiter.Rate is not { } rate)
                {
                    failures.Add($"{path.Child("Rate")} is required for a TokenBucket limiter: requests per second, e.g. 1 or 0.5.");
                }
                else if (!double.IsFinite(rate) || rate <= 0 || rate > MaxLimit)
                {
                    failures.Add($"{path.Child("Rate")} must be greater than 0 and at most {MaxLimit} (got {rate.ToString(CultureInfo.InvariantCulture)}).");
                }

                if (limiter.Burst is { } burst && burst is < 1 or > MaxLimit)
                {
                    failures.Add($"{path.Child("Burst")} must be between 1 and {MaxLimit} (got {burst}).");
                }

                NotFor(limiter.MaxInFlight, "MaxInFlight", "Concurrency");
                break;
            case ThrottleLimiterType.Concurrency:
                if (limiter.MaxInFlight is not { } max)
                {
                    failures.Add($"{path.Child("MaxInFlight")} is required for a Concurrency limiter: the most requests in flight at once.");
                }
                else if (max is < 1 or > MaxLimit)
                {
                    failures.Add($"{path.Child("MaxInFlight")} must be between 1 and {MaxLimit} (got {max}).");
                }

                NotFor(limiter.Rate, "Rate", "TokenBucket");
                NotFor(limiter.Burst, "Burst", "TokenBucket");
                break;
            case ThrottleLimiterType.Reject:
                NotFor(limiter.Rate, "Rate", "TokenBucket");
                NotFor(limiter.Burst, "Burst", "TokenBucket");
                NotFor(limiter.MaxInFlight, "MaxInFlight", "Concurrency");
                break;
            default:
                failures.Add($"{path.Child("Type")} must be TokenBucket, Concurrency or Reject (got {limiter.Type}).");
                break;
        }

        void NotFor<T>(T? value, string name, string owner)
            where T : struct
        {
            if (value is not null)
            {
                failures.Add($"{path.Child(name)} applies only to {owner} limiters, not to {limiter.Type}: remove it.");
            }
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex NamespacePattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(/[a-z0-9]([-a-z0-9]*[a-z0-9])?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ResourcePattern();
}
