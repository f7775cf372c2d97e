using ApiCache.DevServer.Api;
using ApiCache.Requests;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Security;

/// <summary>
/// The review endpoints, answered when security is on: POST
/// <c>/apis/authentication.k8s.io/v1/tokenreviews</c>, <c>.../selfsubjectreviews</c>,
/// <c>/apis/authorization.k8s.io/v1/subjectaccessreviews</c> and <c>.../selfsubjectaccessreviews</c>
/// (other methods: 405). Called by <see cref="ResourceApi"/> before its own resources, so reviews
/// work over HTTP (after the security middleware authorized the caller's <c>create</c>) and
/// in-process for an embedded cache (as the server's own loopback user).
/// </summary>
internal sealed class ReviewApi(
    DevServerSecurity security, TokenReviewHandler tokenReviews, SelfSubjectReviewHandler selfSubjectReviews, SubjectAccessReviewHandler accessReviews)
{
    /// <summary>Answers <paramref name="context"/> when it addresses a review resource; false otherwise.</summary>
    public async Task<bool> TryHandleAsync(HttpContext context, KubernetesRequestInfo info)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(info);
        if (!security.Enabled || !info.IsResourceRequest || info.Namespace.Length > 0 || info.Name.Length > 0 || info.Subresource.Length > 0
            || ReviewResources.Find(info.ApiGroup, info.ApiVersion, info.Resource) is not { } resource)
        {
            return false;
        }

        if (info.Verb != "create")
        {
            await ApiResponses.WriteErrorAsync(context, StatusError.MethodNotAllowed());
            return true;
        }

        if (ReferenceEquals(resource, ReviewResources.TokenReviews))
        {
            await tokenReviews.HandleAsync(context);
        }
        else if (ReferenceEquals(resource, ReviewResources.SelfSubjectReviews))
        {
            await selfSubjectReviews.HandleAsync(context);
        }
        else
        {
            await accessReviews.HandleAsync(context, self: ReferenceEquals(resource, ReviewResources.SelfSubjectAccessReviews));
        }

        return true;
    }
}
