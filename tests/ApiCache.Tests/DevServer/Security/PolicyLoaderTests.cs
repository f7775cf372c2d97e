using ApiCache.DevServer.Security;
using ApiCache.Security;

namespace ApiCache.Tests.DevServer.Security;

/// <summary>The policy file's checks and the RBAC-like matching of its rules.</summary>
public sealed class PolicyLoaderTests
{
    [Theory]
    [InlineData("users:\n  - name: a\n    tokens: [t]\n  - name: b\n    tokens: [t]\n", "users[1] (b): a token is already used by a")]
    [InlineData("users:\n  - groups: [g]\n", "users[0]: name is required")]
    [InlineData("rules:\n  - users: [a]\n    apiGroups: ['']\n    resources: [pods]\n", "rules[0]: verbs are required")]
    [InlineData("rules:\n  - name: r\n    verbs: [get]\n    apiGroups: ['']\n    resources: [pods]\n", "rules[0] (r): applies to nobody; list users or groups")]
    [InlineData("rules:\n  - users: [a]\n    verbs: [get]\n    resources: [pods]\n", "rules[0]: apiGroups are required with resources (\"\" is the core group)")]
    [InlineData("rules:\n  - users: [a]\n    verbs: [get]\n    nonResourceURLs: [/x]\n    namespaces: [n]\n", "rules[0]: nonResourceURLs cannot be combined with namespaces, apiGroups or resourceNames")]
    [InlineData("rules:\n  - users: [a]\n    verbs: [get]\n", "rules[0]: give either resources (with apiGroups) or nonResourceURLs")]
    [InlineData("", "the policy is empty")]
    public void Parse_InvalidPolicy_SaysWhatAndWhere(string yaml, string message)
    {
        var error = Assert.Throws<FormatException>(() => PolicyLoader.Parse(yaml));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Parse_Json_IsAPolicyToo()
    {
        var policy = PolicyLoader.Parse("""{"anonymous": false, "nodeAuthorizer": false, "users": [{"name": "a", "groups": ["g"], "tokens": ["t"]}]}""");

        Assert.False(policy.Anonymous);
        Assert.False(policy.NodeAuthorizer);
        Assert.Equal(["g", UserInfo.AuthenticatedGroup], policy.Tokens["t"].Groups);
    }

    [Theory]
    [InlineData("pods", "pods", "", true)]
    [InlineData("pods", "pods", "log", false)]
    [InlineData("pods/log", "pods", "log", true)]
    [InlineData("*/status", "nodes", "status", true)]
    [InlineData("*/status", "nodes", "", false)]
    [InlineData("userextras/*", "userextras", "scopes", true)]
    [InlineData("*", "anything", "sub", true)]
    public void Allows_ResourcePattern_MatchesAsRbacDoes(string pattern, string resource, string subresource, bool allowed)
    {
        var rule = new PolicyRule { BindingName = "b", RoleName = "r", Users = ["alice"], Verbs = ["get"], ApiGroups = ["*"], Resources = [pattern] };
        var attributes = new AccessReviewAttributes
        {
            User = UserInfo.Authenticated("alice", "", []),
            Verb = "get",
            Resource = resource,
            Subresource = subresource,
            Namespace = "team-a",
            Name = "x",
        };

        Assert.Equal(allowed, rule.Allows(attributes, out _));
    }

    [Fact]
    public void Allows_NamespacedRule_GivesTheRoleBindingReasonAndNotTheClusterScope()
    {
        var rule = new PolicyRule { BindingName = "b", RoleName = "r", Groups = ["developers"], Verbs = ["list"], ApiGroups = [""], Resources = ["pods"], Namespaces = new HashSet<string> { "team-a" } };
        var user = UserInfo.Authenticated("alice", "", ["developers"]);

        var inNamespace = rule.Allows(new AccessReviewAttributes { User = user, Verb = "list", Resource = "pods", Namespace = "team-a" }, out var reason);
        var clusterWide = rule.Allows(new AccessReviewAttributes { User = user, Verb = "list", Resource = "pods" }, out _);

        Assert.True(inNamespace);
        Assert.Equal("RBAC: allowed by RoleBinding \"b/team-a\" of Role \"r\" to Group \"developers\"", reason);
        Assert.False(clusterWide);
    }
}
