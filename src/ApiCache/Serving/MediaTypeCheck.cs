using Microsoft.AspNetCore.Http;

namespace ApiCache.Serving;

/// <summary>
/// Whether the cache may answer a read with plain JSON. The apiserver would answer a Table, a
/// PartialObjectMetadata rendering or YAML when asked (and protobuf when it is preferred), so the
/// cache answers only when some range of the Accept header takes plain JSON and no range asks for
/// a rendering (<c>as=...</c>): then plain JSON is the apiserver's answer too, or one the client
/// declared acceptable (kubelets send <c>application/vnd.kubernetes.protobuf, application/json</c>).
/// Everything else is forwarded, never answered in the wrong shape.
/// </summary>
internal static class MediaTypeCheck
{
    /// <summary>True when the cache may answer this request with JSON.</summary>
    public static bool CacheCanAnswer(HttpRequest request, bool watch)
    {
        var accept = request.Headers.Accept;
        if (accept.Count == 0)
        {
            return true;
        }

        var json = false;
        var any = false;
        foreach (var header in accept)
        {
            if (string.IsNullOrWhiteSpace(header))
            {
                continue;
            }

            foreach (var range in header.Split(','))
            {
                var parameters = range.Split(';');
                var mediaType = parameters[0].Trim();
                if (mediaType.Length == 0)
                {
                    continue;
                }

                any = true;
                for (var i = 1; i < parameters.Length; i++)
                {
                    var parameter = parameters[i].Trim();
                    if (parameter.StartsWith("as=", StringComparison.OrdinalIgnoreCase))
                    {
                        return false;
                    }

                    // A stream=watch range is only meaningful for a watch; q=0 refuses the type.
                    if ((parameter.StartsWith("stream=", StringComparison.OrdinalIgnoreCase) && !watch)
                        || parameter is "q=0" or "q=0.0" or "q=0.00" or "q=0.000")
                    {
                        mediaType = "";
                    }
                }

                json |= mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                    || mediaType is "*/*" or "application/*";
            }
        }

        return json || !any;
    }
}
