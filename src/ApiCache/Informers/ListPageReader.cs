using System.Text.Json;
using ApiCache.Storage;

namespace ApiCache.Informers;

/// <summary>
/// Reads a LIST response body with one pass of a <see cref="Utf8JsonReader"/>: <c>kind</c>,
/// <c>apiVersion</c>, <c>metadata.resourceVersion</c>, <c>metadata.continue</c>,
/// <c>metadata.remainingItemCount</c> and the byte range of every item. Properties may come in any
/// order (custom resource lists sort their keys, so <c>items</c> comes first).
/// </summary>
internal static class ListPageReader
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 512 };

    /// <summary>Reads <paramref name="body"/> into a page whose items are slices of it.</summary>
    /// <param name="body">The complete response body.</param>
    /// <param name="pooledBuffer">The pooled array under <paramref name="body"/>, handed to the page; null when not pooled.</param>
    /// <param name="operation">What was read, for error messages (e.g. <c>list of /api/v1/pods</c>).</param>
    /// <exception cref="UpstreamDecodeException">The body is not a Kubernetes list.</exception>
    public static UpstreamListPage Read(ReadOnlyMemory<byte> body, byte[]? pooledBuffer, string operation)
    {
        string? kind = null, apiVersion = null, continueToken = null;
        long? resourceVersion = null, remaining = null;
        var items = new List<ReadOnlyMemory<byte>>();
        bool? carryTypeMeta = null;
        try
        {
            var reader = new Utf8JsonReader(body.Span, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new UpstreamDecodeException($"{operation}: the body is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("kind"u8))
                {
                    kind = JsonValueReader.ReadStringOrSkip(ref reader);
                }
                else if (reader.ValueTextEquals("apiVersion"u8))
                {
                    apiVersion = JsonValueReader.ReadStringOrSkip(ref reader);
                }
                else if (reader.ValueTextEquals("metadata"u8))
                {
                    ReadListMetadata(ref reader, operation, ref resourceVersion, ref continueToken, ref remaining);
                }
                else if (reader.ValueTextEquals("items"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        continue;
                    }

                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw new UpstreamDecodeException($"{operation}: items is not an array");
                    }

                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            throw new UpstreamDecodeException($"{operation}: item {items.Count} is not a JSON object");
                        }

                        var start = (int)reader.TokenStartIndex;
                        if (carryTypeMeta is null)
                        {
                            carryTypeMeta = HasTypeMeta(ref reader);
                        }
                        else
                        {
                            reader.Skip();
                        }

                        items.Add(body[start..(int)reader.BytesConsumed]);
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            throw new UpstreamDecodeException($"{operation}: the body is not valid JSON: {e.Message}", e);
        }

        if (resourceVersion is null)
        {
            throw new UpstreamDecodeException($"{operation}: the list has no metadata.resourceVersion");
        }

        return new UpstreamListPage(
            kind ?? "",
            apiVersion ?? "",
            resourceVersion.Value,
            string.IsNullOrEmpty(continueToken) ? null : continueToken,
            remaining,
            items,
            carryTypeMeta,
            pooledBuffer);
    }

    private static void ReadListMetadata(ref Utf8JsonReader reader, string operation, ref long? resourceVersion, ref string? continueToken, ref long? remaining)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new UpstreamDecodeException($"{operation}: metadata is not a JSON object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("resourceVersion"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String || !ResourceVersionText.TryRead(ref reader, out var parsed))
                {
                    throw new UpstreamDecodeException($"{operation}: metadata.resourceVersion is not an integer");
                }

                resourceVersion = parsed;
            }
            else if (reader.ValueTextEquals("continue"u8))
            {
                continueToken = JsonValueReader.ReadStringOrSkip(ref reader);
            }
            else if (reader.ValueTextEquals("remainingItemCount"u8))
            {
                reader.Read();
                remaining = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var count) ? count : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>Positioned on an item's start: walks its top-level properties (skipping values) and says whether it has kind and apiVersion.</summary>
    private static bool HasTypeMeta(ref Utf8JsonReader reader)
    {
        bool kind = false, apiVersion = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            kind |= reader.ValueTextEquals("kind"u8);
            apiVersion |= reader.ValueTextEquals("apiVersion"u8);
            reader.Read();
            reader.Skip();
        }

        return kind && apiVersion;
    }
}
