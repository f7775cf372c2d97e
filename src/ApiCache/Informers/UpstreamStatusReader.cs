using System.Text.Json;
using ApiCache.Serving;

namespace ApiCache.Informers;

/// <summary>
/// Reads the Kubernetes <c>Status</c> objects the upstream sends for failures (an error answer's
/// body, or the object of a watch <c>ERROR</c> event) with one forward pass of a
/// <see cref="Utf8JsonReader"/>: code, reason, message, <c>details.retryAfterSeconds</c> and
/// <c>metadata.continue</c>. Everything else is skipped.
/// </summary>
internal static class UpstreamStatusReader
{
    /// <summary>Reads <paramref name="json"/>; false when it is not a JSON object with at least a code, reason or message.</summary>
    public static bool TryRead(ReadOnlySpan<byte> json, out StatusError status)
    {
        status = null!;
        int? code = null;
        string? reason = null, message = null, continueToken = null;
        int? retryAfter = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("code"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
                    {
                        code = value;
                    }
                }
                else if (reader.ValueTextEquals("reason"u8))
                {
                    reason = JsonValueReader.ReadStringOrSkip(ref reader);
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    message = JsonValueReader.ReadStringOrSkip(ref reader);
                }
                else if (reader.ValueTextEquals("details"u8))
                {
                    retryAfter = ReadNumberProperty(ref reader, "retryAfterSeconds"u8) ?? retryAfter;
                }
                else if (reader.ValueTextEquals("metadata"u8))
                {
                    continueToken = ReadStringProperty(ref reader, "continue"u8) ?? continueToken;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }

        if (code is null && reason is null && message is null)
        {
            return false;
        }

        status = new StatusError(code ?? 500, reason ?? "", message ?? "")
        {
            RetryAfterSeconds = retryAfter,
            MetadataContinue = continueToken,
        };
        return true;
    }

    /// <summary>Positioned on a property name whose value may be an object: the number <paramref name="name"/> of that object.</summary>
    private static int? ReadNumberProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        int? result = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
            {
                result = value;
            }
            else
            {
                reader.Skip();
            }
        }

        return result;
    }

    /// <summary>Positioned on a property name whose value may be an object: the string <paramref name="name"/> of that object.</summary>
    private static string? ReadStringProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? result = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match && reader.TokenType == JsonTokenType.String)
            {
                result = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return result;
    }
}
