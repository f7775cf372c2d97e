using System.Globalization;
using System.Text.Json.Nodes;
using ApiCache.DevServer.Serialization;
using ApiCache.Serving;

namespace ApiCache.DevServer.Patching;

/// <summary>The Status answers of the apiserver's patch handler, as <see cref="PatchException"/>s to throw.</summary>
internal static class PatchErrors
{
    /// <summary>The message of the apiserver's generic 422 (<c>NewGenericServerResponse</c>), which hides the cause.</summary>
    public const string GenericInvalidMessage = "the server rejected our request due to an error in our request";

    /// <summary>400 BadRequest with <paramref name="message"/> (a patch that cannot be decoded).</summary>
    public static PatchException BadRequest(string message) => new(new StatusError(400, "BadRequest", message));

    /// <summary>
    /// The generic 422 Invalid with <c>"details":{}</c> that the apiserver answers when a JSON Patch
    /// operation fails (and for a few strategic merge patch errors); <paramref name="detail"/> is the
    /// hidden cause.
    /// </summary>
    public static PatchException Unprocessable(string detail) =>
        new(new StatusError(422, "Invalid", GenericInvalidMessage) { EmptyDetails = true }, detail);

    /// <summary>
    /// 500 with an empty reason (Go's StatusReasonUnknown): how the apiserver answers a patch library
    /// error it has no Status for, e.g. a strategic merge patch list element without its merge key.
    /// </summary>
    public static PatchException Internal(string message) => new(new StatusError(500, "", message));

    /// <summary>413 for a JSON Patch with more operations than the apiserver allows.</summary>
    public static PatchException TooManyOperations(int limit, int count) =>
        new(new StatusError(413, "RequestEntityTooLarge",
            $"Request entity too large: The allowed maximum operations in a JSON patch is {limit.ToString(CultureInfo.InvariantCulture)}, got {count.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>
    /// 422 Invalid for a patch whose result is not an object (e.g. a JSON Patch replacing the root with
    /// an array): the apiserver fails to decode the result and reports it as an invalid "patch" field.
    /// </summary>
    public static PatchException NotAnObject(JsonNode? result)
    {
        var body = "Invalid value: " + GoText.QuoteRunes(GoText.Marshal(result)) + ": couldn't get version/kind; json parse error: "
            + GoText.UnmarshalTypeError(result, ObjectBodyParser.KindSnifferType);
        return new PatchException(new StatusError(422, "Invalid", " \"\" is invalid: patch: " + body)
        {
            Causes = [new StatusCause("FieldValueInvalid", body, "patch")],
        });
    }
}
