using ApiCache.Security;
using ApiCache.Selectors;

namespace ApiCache.DevServer.Security;

/// <summary>
/// One allow rule, checked like an RBAC rule of a (Cluster)RoleBinding: it applies to its users and
/// groups; a resource rule matches verb, API group, resource (<c>*</c>, <c>pods/log</c>,
/// <c>*/status</c>, and beyond RBAC <c>userextras/*</c> for any subresource of one resource) and name, and when it lists namespaces only requests in those (a RoleBinding
/// in each); a non-resource rule matches verb and path (a trailing <c>*</c> matches a prefix) and
/// is never namespaced. The allow reason names the binding as RBAC does.
/// </summary>
internal sealed class PolicyRule
{
    /// <summary>The binding's name in reasons.</summary>
    public required string BindingName { get; init; }

    /// <summary>The role's name in reasons.</summary>
    public required string RoleName { get; init; }

    /// <summary>Users the rule applies to, in order.</summary>
    public IReadOnlyList<string> Users { get; init; } = [];

    /// <summary>Groups the rule applies to, in order.</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>Verbs; <c>*</c> = any.</summary>
    public IReadOnlyList<string> Verbs { get; init; } = [];

    /// <summary>API groups; <c>*</c> = any.</summary>
    public IReadOnlyList<string> ApiGroups { get; init; } = [];

    /// <summary>Resources; empty for a non-resource rule.</summary>
    public IReadOnlyList<string> Resources { get; init; } = [];

    /// <summary>Names; empty = any.</summary>
    public IReadOnlyList<string> ResourceNames { get; init; } = [];

    /// <summary>The namespaces the rule is bound in; null = everywhere, the cluster scope included.</summary>
    public IReadOnlySet<string>? Namespaces { get; init; }

    /// <summary>Non-resource paths; empty for a resource rule.</summary>
    public IReadOnlyList<string> NonResourceUrls { get; init; } = [];

    /// <summary>Whether the rule allows <paramref name="attributes"/>; if so, <paramref name="reason"/> is RBAC's allow reason.</summary>
    public bool Allows(AccessReviewAttributes attributes, out string reason)
    {
        reason = "";
        var subject = Subject(attributes.User);
        if (subject is null || !Matches(attributes))
        {
            return false;
        }

        reason = Namespaces is null
            ? $"RBAC: allowed by ClusterRoleBinding {GoText.Quote(BindingName)} of ClusterRole {GoText.Quote(RoleName)} to {subject}"
            : $"RBAC: allowed by RoleBinding {GoText.Quote(BindingName + "/" + attributes.Namespace)} of Role {GoText.Quote(RoleName)} to {subject}";
        return true;
    }

    private bool Matches(AccessReviewAttributes attributes)
    {
        if (!Verbs.Contains("*") && !Verbs.Contains(attributes.Verb))
        {
            return false;
        }

        if (!attributes.IsResourceRequest)
        {
            return Namespaces is null && NonResourceUrls.Any(url => UrlMatches(url, attributes.Path));
        }

        if (Resources.Count == 0 || (Namespaces is not null && !Namespaces.Contains(attributes.Namespace)))
        {
            return false;
        }

        return (ApiGroups.Contains("*") || ApiGroups.Contains(attributes.Group))
            && Resources.Any(resource => ResourceMatches(resource, attributes.Resource, attributes.Subresource))
            && (ResourceNames.Count == 0 || ResourceNames.Contains(attributes.Name));
    }

    /// <summary>How RBAC names the subject that matched (<c>User "alice"</c>, <c>Group "developers"</c>), or null when none does.</summary>
    private string? Subject(UserInfo user)
    {
        if (Users.Contains(user.Name))
        {
            return "User " + GoText.Quote(user.Name);
        }

        foreach (var group in Groups)
        {
            if (user.Groups.Contains(group))
            {
                return "Group " + GoText.Quote(group);
            }
        }

        return null;
    }

    private static bool ResourceMatches(string rule, string resource, string subresource)
    {
        if (rule == "*")
        {
            return true;
        }

        if (subresource.Length == 0)
        {
            return rule == resource;
        }

        // "*/status" as in RBAC; "userextras/*" (any subresource of one resource) is the policy file's own shorthand.
        return rule == resource + "/" + subresource || rule == "*/" + subresource || rule == resource + "/*";
    }

    private static bool UrlMatches(string rule, string path) =>
        rule == "*" || rule == path || (rule.EndsWith('*') && path.StartsWith(rule.TrimEnd('*'), StringComparison.Ordinal));
}
