using YamlDotNet.Serialization;

namespace ApiCache.DevServer.Security;

/// <summary>The policy file as written (YAML or JSON); <see cref="PolicyLoader"/> checks it and builds a <see cref="SecurityPolicy"/>.</summary>
internal sealed class PolicyDocument
{
    /// <summary>Requests without credentials are <c>system:anonymous</c> (default true), or answered 401.</summary>
    [YamlMember(Alias = "anonymous")]
    public bool? Anonymous { get; set; }

    /// <summary>Apply the Node authorizer to <c>system:node:*</c> users in <c>system:nodes</c> (default true).</summary>
    [YamlMember(Alias = "nodeAuthorizer")]
    public bool? NodeAuthorizer { get; set; }

    /// <summary>Static identities and their bearer tokens.</summary>
    [YamlMember(Alias = "users")]
    public List<PolicyUserDocument>? Users { get; set; }

    /// <summary>Allow rules.</summary>
    [YamlMember(Alias = "rules")]
    public List<PolicyRuleDocument>? Rules { get; set; }
}
