using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Serving;

/// <summary>
/// Writes <see cref="StatusError"/>s byte-for-byte in the apiserver's compact JSON shape: keys in
/// the order kind, apiVersion, metadata, status, message, reason, details, code, and a trailing
/// newline, with the headers the apiserver sends on errors.
/// </summary>
internal static class StatusWriter
{
    /// <summary>
    /// Go's encoder leaves non-ASCII as UTF-8; the relaxed encoder does the same. (Go also escapes
    /// &lt; &gt; &amp;, which never occur in the messages ApiCache writes.)
    /// </summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Serializes <paramref name="error"/> into <paramref name="output"/>.</summary>
    public static void Write(StatusError error, IBufferWriter<byte> output)
    {
        using (var json = new Utf8JsonWriter(output, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("kind"u8, "Status"u8);
            json.WriteString("apiVersion"u8, "v1"u8);
            json.WriteStartObject("metadata"u8);
            if (error.MetadataContinue is not null)
            {
                json.WriteString("continue"u8, error.MetadataContinue);
            }

            json.WriteEndObject();
            json.WriteString("status"u8, "Failure"u8);
            json.WriteString("message"u8, error.Message);
            json.WriteString("reason"u8, error.Reason);
            WriteDetails(json, error);
            json.WriteNumber("code"u8, error.Code);
            json.WriteEndObject();
        }

        output.Write("\n"u8);
    }

    /// <summary>
    /// <c>details</c>, omitted when there is nothing to say (Go's StatusDetails is a pointer with
    /// omitempty: "field label not supported" has no details, NotFound has name and kind).
    /// </summary>
    private static void WriteDetails(Utf8JsonWriter json, StatusError error)
    {
        if (error.DetailsName is null && error.DetailsGroup is null && error.DetailsKind is null
            && error.Causes is not { Count: > 0 } && error.RetryAfterSeconds is null && !error.EmptyDetails)
        {
            return;
        }

        json.WriteStartObject("details"u8);
        if (error.DetailsName is not null)
        {
            json.WriteString("name"u8, error.DetailsName);
        }

        if (error.DetailsGroup is not null)
        {
            json.WriteString("group"u8, error.DetailsGroup);
        }

        if (error.DetailsKind is not null)
        {
            json.WriteString("kind"u8, error.DetailsKind);
        }

        if (error.Causes is { Count: > 0 } causes)
        {
            json.WriteStartArray("causes"u8);
            foreach (var cause in causes)
            {
                json.WriteStartObject();
                json.WriteString("reason"u8, cause.Reason);
                json.WriteString("message"u8, cause.Message);
                if (cause.Field is not null)
                {
                    json.WriteString("field"u8, cause.Field);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        if (error.RetryAfterSeconds is int retryAfter)
        {
            json.WriteNumber("retryAfterSeconds"u8, retryAfter);
        }

        json.WriteEndObject();
    }

    /// <summary>Serializes <paramref name="error"/> to a new array.</summary>
    public static byte[] ToBytes(StatusError error)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(error, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Answers the request with <paramref name="error"/>, unless the response has already started
    /// (then the only honest thing left is to abort, which the caller decides).
    /// </summary>
    public static async Task WriteAsync(HttpResponse response, StatusError error, CancellationToken cancellationToken)
    {
        if (response.HasStarted)
        {
            return;
        }

        var body = ToBytes(error);
        response.StatusCode = error.Code;
        response.Headers.CacheControl = "no-cache, private";
        response.ContentType = "application/json";
        if (error.Code == 403)
        {
            // The apiserver's authorization failures carry it; other errors do not (fixtures 04-err-*).
            response.Headers.XContentTypeOptions = "nosniff";
        }

        if (error.RetryAfterSeconds is int retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellationToken);
    }
}
