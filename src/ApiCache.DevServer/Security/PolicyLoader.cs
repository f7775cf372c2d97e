using System.Text.RegularExpressions;
using ApiCache.Security;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace ApiCache.DevServer.Security;

/// <summary>
/// Parses and checks a policy file (YAML; JSON is YAML too). Unknown keys are errors, so a typo
/// does not silently grant or drop a permission. Errors are <see cref="FormatException"/>s whose
/// message says where and what.
/// </summary>
internal static partial class PolicyLoader
{
    /// <summary>Builds the policy from the text of a policy file.</summary>
    public static SecurityPolicy Parse(string text)
    {
        PolicyDocument? document;
        try
        {
            document = new DeserializerBuilder().Build().Deserialize<PolicyDocument?>(text);
        }
        catch (YamlException e)
        {
            var detail = AssemblyQualifiers().Replace(e.InnerException?.Message ?? e.Message, "");
            throw new FormatException($"not a valid policy at line {e.Start.Line}, column {e.Start.Column}: {detail}", e);
        }

        if (document is null)
        {
            throw new FormatException("the policy is empty");
        }

        return new SecurityPolicy
        {
            Anonymous = document.Anonymous ?? true,
            NodeAuthorizer = document.NodeAuthorizer ?? true,
            Tokens = Tokens(document.Users ?? []),
            Rules = [.. (document.Rules ?? []).Select(Rule)],
        };
    }

    private static Dictionary<string, UserInfo> Tokens(List<PolicyUserDocument> users)
    {
        var tokens = new Dictionary<string, UserInfo>(StringComparer.Ordinal);
        for (var i = 0; i < users.Count; i++)
        {
            var entry = users[i] ?? throw new FormatException($"users[{i}] is empty");
            if (string.IsNullOrEmpty(entry.Name))
            {
                throw new FormatException($"users[{i}]: name is required");
            }

            var user = UserInfo.Authenticated(entry.Name, entry.Uid ?? "", entry.Groups ?? []);
            foreach (var token in entry.Tokens ?? [])
            {
                if (string.IsNullOrEmpty(token))
                {
                    throw new FormatException($"users[{i}] ({entry.Name}): a token is empty");
                }

                if (!tokens.TryAdd(token, user))
                {
                    throw new FormatException($"users[{i}] ({entry.Name}): a token is already used by {tokens[token].Name}");
                }
            }
        }

        return tokens;
    }

    private static PolicyRule Rule(PolicyRuleDocument? entry, int index)
    {
        var where = $"rules[{index}]";
        if (entry is null)
        {
            throw new FormatException($"{where} is empty");
        }

        if (!string.IsNullOrEmpty(entry.Name))
        {
            where += $" ({entry.Name})";
        }

        var resources = entry.Resources ?? [];
        var urls = entry.NonResourceUrls ?? [];
        if (entry.Users is not { Count: > 0 } && entry.Groups is not { Count: > 0 })
        {
            throw new FormatException($"{where}: applies to nobody; list users or groups");
        }

        if (entry.Verbs is not { Count: > 0 })
        {
            throw new FormatException($"{where}: verbs are required");
        }

        if ((resources.Count > 0) == (urls.Count > 0))
        {
            throw new FormatException($"{where}: give either resources (with apiGroups) or nonResourceURLs");
        }

        if (resources.Count > 0 && entry.ApiGroups is not { Count: > 0 })
        {
            throw new FormatException($"{where}: apiGroups are required with resources (\"\" is the core group)");
        }

        var namespaces = entry.Namespaces is { Count: > 0 } listed ? listed.ToHashSet(StringComparer.Ordinal) : null;
        if (urls.Count > 0 && (namespaces is not null || entry.ApiGroups is { Count: > 0 } || entry.ResourceNames is { Count: > 0 }))
        {
            throw new FormatException($"{where}: nonResourceURLs cannot be combined with namespaces, apiGroups or resourceNames");
        }

        var binding = string.IsNullOrEmpty(entry.Name) ? $"rules[{index}]" : entry.Name;
        return new PolicyRule
        {
            BindingName = binding,
            RoleName = string.IsNullOrEmpty(entry.Role) ? binding : entry.Role,
            Users = entry.Users ?? [],
            Groups = entry.Groups ?? [],
            Verbs = entry.Verbs,
            ApiGroups = [.. (entry.ApiGroups ?? []).Select(g => g ?? "")],
            Resources = resources,
            ResourceNames = entry.ResourceNames ?? [],
            Namespaces = namespaces,
            NonResourceUrls = urls,
        };
    }

    [GeneratedRegex(@", [\w.]+, Version=[^,\]]+, Culture=[^,\]]+, PublicKeyToken=\w+")]
    private static partial Regex AssemblyQualifiers();
}
