using YamlDotNet.Serialization;

namespace ApiCache.DevServer.Security;

/// <summary>One allow rule of the policy file: an RBAC role rule and its binding in one.</summary>
internal sealed class PolicyRuleDocument
{
    /// <summary>The binding's name in allow reasons (optional; <c>rules[i]</c> otherwise).</summary>
    [YamlMember(Alias = "name")]
    public string? Name { get; set; }

    /// <summary>The role's name in allow reasons (optional; the rule's name otherwise).</summary>
    [YamlMember(Alias = "role")]
    public string? Role { get; set; }

    /// <summary>Users the rule applies to.</summary>
    [YamlMember(Alias = "users")]
    public List<string>? Users { get; set; }

    /// <summary>Groups whose members the rule applies to.</summary>
    [YamlMember(Alias = "groups")]
    public List<string>? Groups { get; set; }

    /// <summary>Allowed verbs; <c>*</c> = any.</summary>
    [YamlMember(Alias = "verbs")]
    public List<string>? Verbs { get; set; }

    /// <summary>API groups (<c>""</c> = core, <c>*</c> = any).</summary>
    [YamlMember(Alias = "apiGroups")]
    public List<string>? ApiGroups { get; set; }

    /// <summary>Resources (<c>*</c>, <c>pods</c>, <c>pods/log</c>, <c>*/status</c>).</summary>
    [YamlMember(Alias = "resources")]
    public List<string>? Resources { get; set; }

    /// <summary>Namespaces the rule is bound in (a RoleBinding each); omitted or empty = everywhere incl. the cluster scope.</summary>
    [YamlMember(Alias = "namespaces")]
    public List<string>? Namespaces { get; set; }

    /// <summary>Object names; omitted or empty = any.</summary>
    [YamlMember(Alias = "resourceNames")]
    public List<string>? ResourceNames { get; set; }

    /// <summary>Non-resource paths (a trailing <c>*</c> matches a prefix).</summary>
    [YamlMember(Alias = "nonResourceURLs")]
    public List<string>? NonResourceUrls { get; set; }
}
