using ApiCache.Requests;

namespace ApiCache.Throttling;

/// <summary>
/// One entry of a rule's <c>Resources</c>: <c>pods</c> matches core pods and all their
/// subresources, <c>deployments.apps</c> apps deployments, <c>pods/log</c> only that subresource.
/// </summary>
internal sealed record ResourceMatch(string Resource, string Group, string? Subresource)
{
    /// <summary>Parses an entry that <see cref="ThrottleRuleValidator"/> accepted.</summary>
    public static ResourceMatch Parse(string entry)
    {
        var (resource, group, subresource) = ThrottleRuleValidator.ParseResource(entry);
        return new ResourceMatch(resource, group, subresource);
    }

    /// <summary>Whether the request addresses this resource (and subresource, when one is named).</summary>
    public bool IsMatch(KubernetesRequestInfo info) =>
        info.IsResourceRequest
        && string.Equals(info.Resource, Resource, StringComparison.Ordinal)
        && string.Equals(info.ApiGroup, Group, StringComparison.Ordinal)
        && (Subresource is null || string.Equals(info.Subresource, Subresource, StringComparison.Ordinal));
}
