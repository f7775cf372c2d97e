namespace ApiCache.DevServer.Security;

/// <summary>
/// What every kube-apiserver grants through its bootstrap RBAC policy and the dev server grants
/// too: health and version to everyone (<c>system:public-info-viewer</c>), and the self reviews
/// (<c>kubectl auth whoami</c>, <c>kubectl auth can-i</c>) to every authenticated user
/// (<c>system:basic-user</c>). Members of <c>system:masters</c> may do anything; that is not a
/// rule but the first check of <see cref="DevServerAuthorizer"/>.
/// </summary>
internal static class BuiltInRules
{
    /// <summary>The group whose members may do anything.</summary>
    public const string MastersGroup = "system:masters";

    /// <summary>The built-in rules, checked after the policy's own.</summary>
    public static IReadOnlyList<PolicyRule> All { get; } =
    [
        new PolicyRule
        {
            BindingName = "system:public-info-viewer",
            RoleName = "system:public-info-viewer",
            Groups = ["system:authenticated", "system:unauthenticated"],
            Verbs = ["get"],
            NonResourceUrls = ["/healthz", "/healthz/*", "/livez", "/livez/*", "/readyz", "/readyz/*", "/version", "/version/"],
        },
        new PolicyRule
        {
            BindingName = "system:basic-user",
            RoleName = "system:basic-user",
            Groups = ["system:authenticated"],
            Verbs = ["create"],
            ApiGroups = ["authorization.k8s.io"],
            Resources = ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
        },
        new PolicyRule
        {
            BindingName = "system:basic-user",
            RoleName = "system:basic-user",
            Groups = ["system:authenticated"],
            Verbs = ["create"],
            ApiGroups = ["authentication.k8s.io"],
            Resources = ["selfsubjectreviews"],
        },
    ];
}
