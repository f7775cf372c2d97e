using System.Text.Json.Nodes;
using ApiCache.DevServer.Resources;
using ApiCache.DevServer.Serialization;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Api;

/// <summary>Reads a create/update request body as a JSON object, answering the apiserver's 400/413/415 otherwise.</summary>
internal static class ObjectBody
{
    /// <summary>The object, or null with the error to answer.</summary>
    public static async Task<(JsonObject? Object, StatusError? Error)> ReadAsync(HttpRequest request, ResourceDefinition resource, CancellationToken cancellationToken)
    {
        var mediaType = (request.ContentType ?? "application/json").Split(';')[0].Trim();
        if (mediaType is not ("application/json" or ""))
        {
            return (null, new StatusError(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf"));
        }

        var (body, error) = await RequestBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return (null, error);
        }

        return ObjectBodyParser.TryParse(body, resource.Kind, out var obj, out var invalid) ? (obj, null) : (null, invalid);
    }
}
