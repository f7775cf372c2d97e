using System.Text.Json;
using System.Text.Json.Nodes;
using ApiCache.DevServer.Resources;
using ApiCache.DevServer.Serialization;

namespace ApiCache.DevServer.Patching;

/// <summary>
/// Applies a PATCH request body to the current object the way the apiserver's patch handler does:
/// decodes the body with the apiserver's error wording, applies it as JSON Patch, merge patch or
/// strategic merge patch, and throws a <see cref="PatchException"/> carrying the apiserver's answer
/// when it cannot.
/// </summary>
/// <remarks>
/// <para>Decoding follows the <c>fieldValidation</c> query parameter: by default (empty, Warn or
/// Strict) the body is decoded strictly first, so a malformed JSON or merge patch is a 400 "error
/// decoding patch: &lt;Go JSON error&gt;"; with Ignore the library's own errors are reported ("Invalid
/// JSON Patch" for a merge patch). Unknown and duplicate fields are not reported (the apiserver warns
/// or, with Strict, answers 422).</para>
/// <para>Answers: undecodable patch 400 BadRequest; a JSON Patch operation that fails 422 Invalid with
/// the generic "the server rejected our request due to an error in our request" and
/// <c>"details":{}</c>; more than 10000 JSON Patch operations 413; a result that is not an object
/// 422 Invalid on the field "patch". The result is not validated: checking that name, namespace, uid
/// and the other system fields did not change is the caller's job.</para>
/// </remarks>
internal static class PatchApplier
{
    /// <summary>The most operations one JSON Patch may hold (apiserver <c>maxJSONPatchOperations</c>).</summary>
    public const int MaxJsonPatchOperations = 10000;

    /// <summary>How Go names the element type the apiserver strictly decodes JSON Patch operations into.</summary>
    private const string StrictOperationType = "handlers.jsonPatchOp";

    /// <summary>
    /// Applies <paramref name="patchBody"/> of type <paramref name="type"/> to a copy of
    /// <paramref name="original"/> (an object of <paramref name="resource"/>) and returns the patched object.
    /// </summary>
    /// <param name="type">The patch format, from <see cref="PatchTypes.FromContentType(string?, ResourceDefinition)"/>.</param>
    /// <param name="resource">The resource patched (its kind selects the strategic merge patch schema).</param>
    /// <param name="original">The current object; not modified.</param>
    /// <param name="patchBody">The request body.</param>
    /// <param name="fieldValidation">The request's <c>fieldValidation</c> parameter (null, Ignore, Warn or Strict).</param>
    /// <exception cref="PatchException">The patch cannot be decoded or applied; its Status is the answer.</exception>
    public static JsonObject Apply(PatchType type, ResourceDefinition resource, JsonObject original, ReadOnlySpan<byte> patchBody, string? fieldValidation = null)
    {
        var strict = !string.Equals(fieldValidation, "Ignore", StringComparison.Ordinal);
        var document = (JsonObject)original.DeepClone();
        var result = type switch
        {
            PatchType.Json => ApplyJsonPatch(document, patchBody, strict),
            PatchType.Merge => ApplyMergePatch(document, patchBody, strict),
            _ => ApplyStrategicMergePatch(document, patchBody, StrategicMergeSchema.For(resource)),
        };
        return result as JsonObject ?? throw PatchErrors.NotAnObject(result);
    }

    private static JsonNode ApplyJsonPatch(JsonObject document, ReadOnlySpan<byte> body, bool strict)
    {
        if (!JsonBodyReader.TryParse(body, out var patch, out var syntaxError))
        {
            throw PatchErrors.BadRequest(strict ? "error decoding patch: " + syntaxError : syntaxError);
        }

        if (patch is not (null or JsonArray))
        {
            throw PatchErrors.BadRequest(strict
                ? "error decoding patch: " + GoText.UnmarshalTypeError(patch, "[]" + StrictOperationType)
                : GoText.UnmarshalTypeError(patch, "jsonpatch.Patch"));
        }

        var operations = new List<JsonObject?>();
        foreach (var item in (JsonArray?)patch ?? [])
        {
            if (item is not (null or JsonObject))
            {
                throw PatchErrors.BadRequest(strict
                    ? "error decoding patch: " + GoText.UnmarshalTypeError(item, StrictOperationType)
                    : GoText.UnmarshalTypeError(item, "jsonpatch.Operation"));
            }

            if (strict && item is JsonObject operation && OperationFieldError(operation) is { } fieldError)
            {
                throw PatchErrors.BadRequest("error decoding patch: " + fieldError);
            }

            operations.Add((JsonObject?)item);
        }

        if (operations.Count > MaxJsonPatchOperations)
        {
            throw PatchErrors.TooManyOperations(MaxJsonPatchOperations, operations.Count);
        }

        return JsonPatch.Apply(document, operations);
    }

    /// <summary>The strict decoder's error for an op, path or from member that is not a string.</summary>
    private static string? OperationFieldError(JsonObject operation)
    {
        foreach (var (name, value) in operation)
        {
            if (name is "op" or "path" or "from" && value is not null && value.GetValueKind() != JsonValueKind.String)
            {
                return GoText.UnmarshalFieldTypeError(value, "jsonPatchOp", name, "string");
            }
        }

        return null;
    }

    private static JsonNode? ApplyMergePatch(JsonObject document, ReadOnlySpan<byte> body, bool strict)
    {
        const string InvalidPatch = "Invalid JSON Patch";
        if (!JsonBodyReader.TryParse(body, out var patch, out var syntaxError))
        {
            throw PatchErrors.BadRequest(strict ? "error decoding patch: " + syntaxError : InvalidPatch);
        }

        if (strict && patch is not (null or JsonObject))
        {
            throw PatchErrors.BadRequest("error decoding patch: " + GoText.UnmarshalTypeError(patch, "map[string]interface {}"));
        }

        // The library rejects a null or scalar patch; an array patch becomes the (non-object) result.
        if (patch is not (JsonObject or JsonArray))
        {
            throw PatchErrors.BadRequest(InvalidPatch);
        }

        return JsonMergePatch.Apply(document, patch);
    }

    private static JsonObject ApplyStrategicMergePatch(JsonObject document, ReadOnlySpan<byte> body, StrategicMergeSchema schema)
    {
        if (!JsonBodyReader.TryParse(body, out var patch, out var syntaxError))
        {
            throw PatchErrors.BadRequest(syntaxError);
        }

        return patch switch
        {
            null => document,
            JsonObject patchMap => StrategicMergePatch.Apply(document, patchMap, schema),
            _ => throw PatchErrors.BadRequest(GoText.UnmarshalTypeError(patch, "map[string]interface {}")),
        };
    }
}
