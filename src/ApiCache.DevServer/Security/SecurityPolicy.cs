using ApiCache.Security;

namespace ApiCache.DevServer.Security;

/// <summary>A checked policy file: the anonymous and Node authorizer switches, the token identities and the allow rules.</summary>
internal sealed class SecurityPolicy
{
    /// <summary>Requests without credentials are <c>system:anonymous</c> (true) or answered 401 (false).</summary>
    public bool Anonymous { get; init; } = true;

    /// <summary>Whether the Node authorizer runs for node identities.</summary>
    public bool NodeAuthorizer { get; init; } = true;

    /// <summary>The user of each bearer token.</summary>
    public IReadOnlyDictionary<string, UserInfo> Tokens { get; init; } = new Dictionary<string, UserInfo>();

    /// <summary>The allow rules, in file order.</summary>
    public IReadOnlyList<PolicyRule> Rules { get; init; } = [];
}
