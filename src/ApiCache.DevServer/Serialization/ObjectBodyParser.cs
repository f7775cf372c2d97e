using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApiCache.Serving;

namespace ApiCache.DevServer.Serialization;

/// <summary>
/// Decodes the JSON body of a create or update request into an object, answering what the apiserver
/// answers when the body is not a JSON object: 400 BadRequest, "the object provided is unrecognized
/// (must be of type Pod): couldn't get version/kind; json parse error: ... (&lt;first 30 bytes&gt; ...)"
/// (fixture 04-err-400-malformed-json).
/// </summary>
/// <remarks>
/// The apiserver first reads <c>apiVersion</c> and <c>kind</c> with Go's <c>json.Unmarshal</c> into a
/// two-field struct; that step fails on bad syntax, on a body that is not an object, and on an
/// <c>apiVersion</c>/<c>kind</c> (names matched case-insensitively, as Go does) that is not a string.
/// A JSON <c>null</c> body passes that step and decodes to an empty object. Checking the kind and
/// version values themselves, and the object's fields, is the caller's business.
/// </remarks>
internal static class ObjectBodyParser
{
    /// <summary>How the apiserver's kind sniffer struct prints in Go type errors.</summary>
    internal const string KindSnifferType = "struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }";

    /// <summary>How many body bytes the apiserver quotes in the message.</summary>
    private const int SummaryLength = 30;

    /// <summary>
    /// Parses <paramref name="body"/> as an object of <paramref name="kind"/> (e.g. Pod); on failure
    /// <paramref name="error"/> is the apiserver's 400 answer.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> body, string kind, [NotNullWhen(true)] out JsonObject? value, [NotNullWhen(false)] out StatusError? error)
    {
        value = null;
        error = null;
        string problem;
        if (!JsonBodyReader.TryParse(body, out var node, out var syntaxError))
        {
            problem = syntaxError;
        }
        else if (node is null)
        {
            value = [];
            return true;
        }
        else if (node is not JsonObject map)
        {
            problem = GoText.UnmarshalTypeError(node, KindSnifferType);
        }
        else if (TypeMetaError(map) is { } typeError)
        {
            problem = typeError;
        }
        else
        {
            value = map;
            return true;
        }

        error = new StatusError(400, "BadRequest",
            $"the object provided is unrecognized (must be of type {kind}): couldn't get version/kind; json parse error: {problem} ({Summarize(body)})");
        return false;
    }

    /// <summary>The type error Go reports when apiVersion or kind is present but not a string (or null).</summary>
    private static string? TypeMetaError(JsonObject map)
    {
        foreach (var (name, member) in map)
        {
            var field = string.Equals(name, "apiVersion", StringComparison.OrdinalIgnoreCase) ? "apiVersion"
                : string.Equals(name, "kind", StringComparison.OrdinalIgnoreCase) ? "kind"
                : null;
            if (field is not null && member is not null && member.GetValueKind() != JsonValueKind.String)
            {
                return GoText.UnmarshalFieldTypeError(member, "", field, "string");
            }
        }

        return null;
    }

    /// <summary>The apiserver's <c>summarizeData</c>: the body, cut to 30 bytes plus " ...", or &lt;empty&gt;/&lt;gzip&gt;.</summary>
    private static string Summarize(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return "<empty>";
        }

        if (body.Length >= 2 && body[0] == 0x1f && body[1] == 0x8b)
        {
            return "<gzip>";
        }

        return body.Length > SummaryLength ? GoString(body[..SummaryLength]) + " ..." : GoString(body);
    }

    /// <summary>Bytes as Go's JSON encoder shows a Go string: UTF-8, each invalid byte as U+FFFD.</summary>
    private static string GoString(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                text.Append(rune.ToString());
                bytes = bytes[consumed..];
            }
            else
            {
                text.Append('\uFFFD');
                bytes = bytes[1..];
            }
        }

        return text.ToString();
    }
}
