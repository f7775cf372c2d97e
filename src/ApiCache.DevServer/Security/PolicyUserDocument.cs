using YamlDotNet.Serialization;

namespace ApiCache.DevServer.Security;

/// <summary>One static identity of the policy file (like a line of kube-apiserver's <c>--token-auth-file</c>).</summary>
internal sealed class PolicyUserDocument
{
    /// <summary>The user name.</summary>
    [YamlMember(Alias = "name")]
    public string? Name { get; set; }

    /// <summary>The user's uid (optional).</summary>
    [YamlMember(Alias = "uid")]
    public string? Uid { get; set; }

    /// <summary>The user's groups; <c>system:authenticated</c> is added.</summary>
    [YamlMember(Alias = "groups")]
    public List<string>? Groups { get; set; }

    /// <summary>Bearer tokens that authenticate as this user.</summary>
    [YamlMember(Alias = "tokens")]
    public List<string>? Tokens { get; set; }
}
