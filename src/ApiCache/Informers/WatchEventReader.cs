using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using ApiCache.Storage;

namespace ApiCache.Informers;

/// <summary>
/// Parses one line of a JSON watch stream, <c>{"type":"ADDED","object":{...}}</c>, with a single
/// pass of a <see cref="Utf8JsonReader"/>: the event type and where the object's bytes are in the
/// line. The object is not copied or re-serialized; objects can be megabytes.
/// </summary>
internal static class WatchEventReader
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 512 };

    /// <summary>Parses <paramref name="line"/> (without its newline).</summary>
    /// <param name="line">One watch event.</param>
    /// <param name="type">The event's type.</param>
    /// <param name="objectRange">Where the event's <c>object</c> (a JSON object) is within <paramref name="line"/>.</param>
    /// <param name="error">Why the line is not a watch event.</param>
    public static bool TryRead(ReadOnlySpan<byte> line, out UpstreamWatchEventType type, out Range objectRange, [NotNullWhen(false)] out string? error)
    {
        type = default;
        objectRange = default;
        UpstreamWatchEventType? foundType = null;
        Range? foundObject = null;
        try
        {
            var reader = new Utf8JsonReader(line, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "a watch event is not a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    foundType = reader.TokenType == JsonTokenType.String ? ParseType(ref reader) : null;
                    if (foundType is null)
                    {
                        error = $"unknown watch event type {Describe(ref reader)}";
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("object"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        error = "a watch event's object is not a JSON object";
                        return false;
                    }

                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    foundObject = new Range(start, (int)reader.BytesConsumed);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // Anything after the event's closing brace is malformed; the reader throws on it.
            if (reader.Read())
            {
                error = "unexpected data after a watch event";
                return false;
            }
        }
        catch (JsonException e)
        {
            error = "a watch event is not valid JSON: " + e.Message;
            return false;
        }

        if (foundType is null || foundObject is null)
        {
            error = foundType is null ? "a watch event has no type" : "a watch event has no object";
            return false;
        }

        type = foundType.Value;
        objectRange = foundObject.Value;
        error = null;
        return true;
    }

    /// <summary>
    /// Reads only <c>metadata.resourceVersion</c> of an object (a BOOKMARK's), skipping everything
    /// else; false when it is absent or not a non-negative integer.
    /// </summary>
    public static bool TryReadResourceVersion(ReadOnlySpan<byte> objectJson, out long resourceVersion)
    {
        resourceVersion = 0;
        try
        {
            var reader = new Utf8JsonReader(objectJson, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMetadata = reader.ValueTextEquals("metadata"u8);
                reader.Read();
                if (!isMetadata || reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isResourceVersion = reader.ValueTextEquals("resourceVersion"u8);
                    reader.Read();
                    if (isResourceVersion)
                    {
                        return reader.TokenType == JsonTokenType.String && ResourceVersionText.TryRead(ref reader, out resourceVersion);
                    }

                    reader.Skip();
                }

                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        return false;
    }

    private static UpstreamWatchEventType? ParseType(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("ADDED"u8))
        {
            return UpstreamWatchEventType.Added;
        }

        if (reader.ValueTextEquals("MODIFIED"u8))
        {
            return UpstreamWatchEventType.Modified;
        }

        if (reader.ValueTextEquals("DELETED"u8))
        {
            return UpstreamWatchEventType.Deleted;
        }

        if (reader.ValueTextEquals("BOOKMARK"u8))
        {
            return UpstreamWatchEventType.Bookmark;
        }

        return reader.ValueTextEquals("ERROR"u8) ? UpstreamWatchEventType.Error : null;
    }

    private static string Describe(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String ? "\"" + reader.GetString() + "\"" : reader.TokenType.ToString();
}
