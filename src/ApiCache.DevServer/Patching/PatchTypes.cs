using ApiCache.DevServer.Resources;
using ApiCache.Serving;

namespace ApiCache.DevServer.Patching;

/// <summary>
/// The PATCH content types: which <see cref="PatchType"/> a request's Content-Type asks for, and the
/// apiserver's 415 answer when it names none the resource accepts.
/// </summary>
/// <remarks>
/// Like the apiserver, the Content-Type is cut at its first ';' (dropping <c>; charset=utf-8</c>) and
/// then compared exactly: no trimming, no case folding. Built-in resources accept JSON Patch, merge
/// patch and strategic merge patch; custom (unstructured) resources do not accept strategic merge
/// patch, as their schema carries no patch strategies. Server-side apply
/// (<c>application/apply-patch+yaml</c>) is not implemented, so it is classified as unsupported.
/// </remarks>
internal static class PatchTypes
{
    /// <summary>JSON Patch (RFC 6902).</summary>
    public const string JsonPatchMediaType = "application/json-patch+json";

    /// <summary>JSON Merge Patch (RFC 7386).</summary>
    public const string MergePatchMediaType = "application/merge-patch+json";

    /// <summary>Kubernetes strategic merge patch.</summary>
    public const string StrategicMergePatchMediaType = "application/strategic-merge-patch+json";

    /// <summary>Server-side apply (not implemented by the dev server).</summary>
    public const string ApplyPatchMediaType = "application/apply-patch+yaml";

    /// <summary>
    /// The patch type a Content-Type header asks for; null when it is missing, unknown, or server-side
    /// apply. Does not know the resource: see the overload for custom resources.
    /// </summary>
    public static PatchType? FromContentType(string? contentType)
    {
        if (contentType is null)
        {
            return null;
        }

        var separator = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = separator > 0 ? contentType[..separator] : contentType;
        return mediaType switch
        {
            JsonPatchMediaType => PatchType.Json,
            MergePatchMediaType => PatchType.Merge,
            StrategicMergePatchMediaType => PatchType.StrategicMerge,
            _ => null,
        };
    }

    /// <summary>
    /// The patch type a Content-Type asks for, when <paramref name="resource"/> accepts it; null means
    /// answer <see cref="UnsupportedMediaType"/> (e.g. a strategic merge patch of a custom resource).
    /// </summary>
    public static PatchType? FromContentType(string? contentType, ResourceDefinition resource)
    {
        var type = FromContentType(contentType);
        return type == PatchType.StrategicMerge && resource.Unstructured ? null : type;
    }

    /// <summary>The media type of a patch type.</summary>
    public static string MediaType(PatchType type) => type switch
    {
        PatchType.Json => JsonPatchMediaType,
        PatchType.Merge => MergePatchMediaType,
        _ => StrategicMergePatchMediaType,
    };

    /// <summary>
    /// The apiserver's answer to a PATCH whose Content-Type is not accepted: 415 UnsupportedMediaType,
    /// "the body of the request was in an unknown format - accepted media types include: ..." listing
    /// what the apiserver lists for this kind of resource.
    /// </summary>
    /// <param name="resource">The resource patched: custom resources do not list strategic merge patch.</param>
    /// <param name="listApplyPatch">
    /// Whether to list <c>application/apply-patch+yaml</c> like a real apiserver does (byte-identical
    /// messages), although the dev server does not implement it; false words the list of an apiserver
    /// without server-side apply.
    /// </param>
    public static StatusError UnsupportedMediaType(ResourceDefinition resource, bool listApplyPatch = true)
    {
        var accepted = new List<string> { JsonPatchMediaType, MergePatchMediaType };
        if (!resource.Unstructured)
        {
            accepted.Add(StrategicMergePatchMediaType);
        }

        if (listApplyPatch)
        {
            accepted.Add(ApplyPatchMediaType);
        }

        return new StatusError(415, "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: " + string.Join(", ", accepted));
    }
}
