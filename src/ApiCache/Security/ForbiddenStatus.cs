using ApiCache.Selectors;
using ApiCache.Serving;

namespace ApiCache.Security;

/// <summary>
/// The apiserver's 403 for a denied request, word for word (fixtures 04-err-403-*):
/// <c>pods "nope" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "team-b"</c>,
/// with the authorizer's reason appended after <c>": "</c> when it gave one, and details
/// <c>{name, group, kind}</c> (kind is the resource). Non-resource requests read
/// <c>forbidden: User "alice" cannot get path "/metrics"</c> with empty details.
/// </summary>
internal static class ForbiddenStatus
{
    /// <summary>The Status for <paramref name="attributes"/> denied with <paramref name="reason"/> (may be empty).</summary>
    public static StatusError Create(AccessReviewAttributes attributes, string reason)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var user = Quote(attributes.User.Name);
        if (!attributes.IsResourceRequest)
        {
            // errors.NewForbidden with an empty GroupResource still has a (empty) details object.
            return StatusError.Forbidden(WithReason($"forbidden: User {user} cannot {attributes.Verb} path {Quote(attributes.Path)}", reason)) with { EmptyDetails = true };
        }

        var resource = attributes.Subresource.Length > 0 ? attributes.Resource + "/" + attributes.Subresource : attributes.Resource;
        var scope = attributes.Namespace.Length > 0
            ? $"in the namespace {Quote(attributes.Namespace)}"
            : "at the cluster scope";
        var detail = $"User {user} cannot {attributes.Verb} resource {Quote(resource)} in API group {Quote(attributes.Group)} {scope}";

        // errors.NewForbidden(qualifiedResource, name, err): "<resource>[.<group>] [\"name\"] is forbidden: <err>".
        var qualified = attributes.Group.Length > 0 ? attributes.Resource + "." + attributes.Group : attributes.Resource;
        var subject = attributes.Name.Length > 0 ? $"{qualified} {Quote(attributes.Name)}" : qualified;
        return StatusError.Forbidden(WithReason($"{subject} is forbidden: {detail}", reason)) with
        {
            DetailsName = attributes.Name.Length > 0 ? attributes.Name : null,
            DetailsGroup = attributes.Group.Length > 0 ? attributes.Group : null,
            DetailsKind = attributes.Resource,
        };
    }

    private static string WithReason(string message, string reason) => reason.Length > 0 ? message + ": " + reason : message;

    /// <summary>Go's <c>%q</c> for the printable ASCII and UTF-8 text names are made of.</summary>
    private static string Quote(string value) => GoText.Quote(value);
}
