using ApiCache.Requests;
using ApiCache.Security;
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
        return RequestAuthorizer.ForRead(user, RequestInfoParser.Parse(request), request.Query, selectors: true);
    }
}
