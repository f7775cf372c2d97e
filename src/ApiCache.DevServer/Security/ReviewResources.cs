using System.Text.Json.Nodes;
using ApiCache.DevServer.Api;
using ApiCache.DevServer.Objects;
using ApiCache.DevServer.Resources;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Security;

/// <summary>
/// The review resources the dev server answers when security is on (create-only, nothing stored),
/// and how their request bodies are read: JSON only (415 otherwise), a JSON object (400), apiVersion
/// and kind matching the path when given (400).
/// </summary>
internal static class ReviewResources
{
    /// <summary>authentication.k8s.io/v1 TokenReview.</summary>
    public static ResourceDefinition TokenReviews { get; } = Review("authentication.k8s.io", "tokenreviews", "TokenReview");

    /// <summary>authentication.k8s.io/v1 SelfSubjectReview (<c>kubectl auth whoami</c>).</summary>
    public static ResourceDefinition SelfSubjectReviews { get; } = Review("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview");

    /// <summary>authorization.k8s.io/v1 SubjectAccessReview.</summary>
    public static ResourceDefinition SubjectAccessReviews { get; } = Review("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview");

    /// <summary>authorization.k8s.io/v1 SelfSubjectAccessReview (<c>kubectl auth can-i</c>).</summary>
    public static ResourceDefinition SelfSubjectAccessReviews { get; } = Review("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview");

    /// <summary>The review resource at <paramref name="group"/>/v1/<paramref name="resource"/>, or null.</summary>
    public static ResourceDefinition? Find(string group, string version, string resource)
    {
        if (version != "v1")
        {
            return null;
        }

        return (group, resource) switch
        {
            ("authentication.k8s.io", "tokenreviews") => TokenReviews,
            ("authentication.k8s.io", "selfsubjectreviews") => SelfSubjectReviews,
            ("authorization.k8s.io", "subjectaccessreviews") => SubjectAccessReviews,
            ("authorization.k8s.io", "selfsubjectaccessreviews") => SelfSubjectAccessReviews,
            _ => null,
        };
    }

    /// <summary>The request's review object, or the error to answer.</summary>
    public static async Task<(JsonObject? Review, StatusError? Error)> ReadAsync(HttpContext context, ResourceDefinition resource)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(resource);
        var (review, error) = await ObjectBody.ReadAsync(context.Request, resource, context.RequestAborted);
        if (review is null)
        {
            return (null, error);
        }

        return ObjectPreparer.CheckTypeMeta(review, resource) is { } typeError ? (null, typeError) : (review, null);
    }

    /// <summary>The 400 for a body whose fields do not decode.</summary>
    public static StatusError DecodeError(ResourceDefinition resource, FormatException error)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(error);
        return StatusError.BadRequest($"{resource.Kind} in version \"{resource.Version}\" cannot be handled as a {resource.Kind}: {error.Message}");
    }

    private static ResourceDefinition Review(string group, string resource, string kind) => new()
    {
        Group = group,
        Version = "v1",
        Resource = resource,
        Singular = kind.ToLowerInvariant(),
        Kind = kind,
        Namespaced = false,
        KeyPrefix = $"/registry/{resource}/",
    };
}
