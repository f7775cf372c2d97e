using ApiCache.Security;

namespace ApiCache.DevServer.Security;

/// <summary>
/// The dev server's authorizer chain, as kube-apiserver with <c>--authorization-mode=Node,RBAC</c>:
/// members of <c>system:masters</c> first (allowed, no reason), then the Node authorizer (when the
/// policy enables it), then the policy's rules and the built-in ones. The first that allows decides;
/// otherwise the request is not allowed and the reason is what the authorizers said (the Node
/// authorizer's, RBAC gives none), which the 403 message and a SubjectAccessReview carry.
/// </summary>
internal sealed class DevServerAuthorizer(NodeAuthorizer nodes)
{
    /// <summary>The decision on <paramref name="attributes"/> under <paramref name="policy"/>.</summary>
    public async ValueTask<AccessDecision> AuthorizeAsync(SecurityPolicy policy, AccessReviewAttributes attributes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(attributes);
        if (attributes.User.Groups.Contains(BuiltInRules.MastersGroup))
        {
            return AccessDecision.Allow;
        }

        var reasons = new List<string>(1);
        if (policy.NodeAuthorizer)
        {
            var decision = await nodes.AuthorizeAsync(attributes, cancellationToken);
            if (decision.Allowed)
            {
                return decision;
            }

            if (decision.Reason.Length > 0)
            {
                reasons.Add(decision.Reason);
            }
        }

        foreach (var rule in policy.Rules.Concat(BuiltInRules.All))
        {
            if (rule.Allows(attributes, out var reason))
            {
                return new AccessDecision(true, Reason: reason);
            }
        }

        return new AccessDecision(false, Reason: string.Join("\n", reasons));
    }
}
