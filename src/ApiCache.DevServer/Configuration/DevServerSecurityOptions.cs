namespace ApiCache.DevServer.Configuration;

/// <summary>
/// Authentication and authorization of the dev API server (configuration section
/// <c>DevServer:Security</c>). Without a policy file nothing is checked: every request is allowed,
/// as before. With one, every request is authenticated (client certificate, front proxy, bearer
/// token or anonymous) and authorized (Node authorizer and the policy's rules) the way
/// kube-apiserver does it; see docs/dev-server-security.md.
/// </summary>
public sealed class DevServerSecurityOptions
{
    /// <summary>
    /// The YAML (or JSON) policy file: users with their tokens, RBAC-like allow rules, anonymous and
    /// Node authorizer switches. Read again when its modification time or size changes; a broken
    /// edit keeps the previous policy, a broken file at start fails start-up.
    /// </summary>
    public string? PolicyFile { get; set; }

    /// <summary>True when a policy file is configured, so requests are authenticated and authorized.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(PolicyFile);
}
