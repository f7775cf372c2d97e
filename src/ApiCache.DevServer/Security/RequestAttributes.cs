using ApiCache.Requests;
using ApiCache.Security;
using ApiCache.Selectors;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Security;

/// <summary>
/// The authorization attributes of a request, as the apiserver builds them: the request info
/// (verb, group, version, resource, subresource, namespace, name; for list/watch with a
/// <c>metadata.name=</c> field selector that name) and, for list, watch and deletecollection, the
/// field and label selectors as requirements (a selector that does not parse counts as none, as in
/// the apiserver, whose handler then answers 400).
/// </summary>
internal static class RequestAttributes
{
    /// <summary>The attributes of <paramref name="request"/> asked by <paramref name="user"/>.</summary>
    public static AccessReviewAttributes From(HttpRequest request, UserInfo user)
    {
        ArgumentNullException.ThrowIfNull(request);
        var info = RequestInfoParser.Parse(request);
        if (!info.IsResourceRequest)
        {
            return new AccessReviewAttributes { User = user, Verb = info.Verb, IsResourceRequest = false, Path = info.Path };
        }

        IReadOnlyList<SelectorRequirement> fields = [];
        IReadOnlyList<SelectorRequirement> labels = [];
        if (info.Verb is "list" or "watch" or "deletecollection")
        {
            if (FieldSelector.TryParse(request.Query["fieldSelector"].ToString(), out var fieldSelector, out _))
            {
                fields = SelectorRequirement.FromFields(fieldSelector);
            }

            if (LabelSelector.TryParse(request.Query["labelSelector"].ToString(), out var labelSelector, out _))
            {
                labels = SelectorRequirement.FromLabels(labelSelector);
            }
        }

        return new AccessReviewAttributes
        {
            User = user,
            Verb = info.Verb,
            Group = info.ApiGroup,
            Version = info.ApiVersion,
            Resource = info.Resource,
            Subresource = info.Subresource,
            Namespace = info.Namespace,
            Name = info.Name,
            FieldSelector = fields,
            LabelSelector = labels,
            Path = info.Path,
        };
    }
}
