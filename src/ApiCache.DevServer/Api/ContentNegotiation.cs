using ApiCache.Serving;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Api;

/// <summary>
/// The dev server answers JSON only. A request whose Accept header allows plain JSON (or anything)
/// gets it; one that accepts only other representations (YAML, protobuf, a Table or
/// PartialObjectMetadata rendering) gets the apiserver's 406 rather than the wrong shape.
/// </summary>
internal static class ContentNegotiation
{
    /// <summary>The apiserver's 406 (its body is indented for every client, as recorded).</summary>
    public static readonly StatusError NotAcceptable = new(406, "NotAcceptable",
        "406: Not Acceptable\n\nAvailable representations: application/json, application/yaml, application/vnd.kubernetes.protobuf, application/json;stream=watch, application/vnd.kubernetes.protobuf;stream=watch")
    {
        EmptyDetails = true,
    };

    /// <summary>True when plain JSON is an acceptable answer.</summary>
    public static bool AcceptsJson(HttpRequest request)
    {
        var accept = request.Headers.Accept.ToString();
        if (accept.Trim().Length == 0)
        {
            return true;
        }

        foreach (var range in accept.Split(','))
        {
            var parts = range.Split(';');
            var mediaType = parts[0].Trim();
            var rendersAs = parts.Skip(1).Any(p => p.Trim().StartsWith("as=", StringComparison.OrdinalIgnoreCase));
            if (!rendersAs && mediaType is "application/json" or "*/*" or "application/*")
            {
                return true;
            }
        }

        return false;
    }
}
