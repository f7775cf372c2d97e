using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApiCache.DevServer.Resources;

namespace ApiCache.DevServer.Objects;

/// <summary>
/// Turns objects into the bytes the store keeps and back into the bytes a response carries.
/// Stored form: compact JSON in the apiserver's field order (built-in kinds: kind, apiVersion,
/// metadata in ObjectMeta order, then the rest; unstructured kinds: every key sorted, as Go's map
/// encoding does), WITHOUT metadata.resourceVersion — like the apiserver, the store's mod revision
/// is the resourceVersion and is stamped in when the object is read.
/// </summary>
internal static class ObjectCodec
{
    /// <summary>ObjectMeta's fields in Go struct order: the order the apiserver writes them.</summary>
    private static readonly string[] MetadataOrder =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
    ];

    /// <summary>Fields that come after resourceVersion in a built-in kind's metadata, as UTF-8 (compared without decoding).</summary>
    private static readonly byte[][] AfterResourceVersion = [.. MetadataOrder.SkipWhile(f => f != "resourceVersion").Skip(1).Select(Encoding.UTF8.GetBytes)];

    /// <summary>Maps whose keys Go writes sorted (map[string]string fields of the built-in kinds).</summary>
    private static readonly string[] SortedMapFields = ["data", "binaryData", "stringData"];

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The stored form of <paramref name="obj"/> (which must have kind, apiVersion and metadata).</summary>
    public static byte[] ToStored(JsonObject obj, ResourceDefinition resource)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            if (resource.Unstructured)
            {
                WriteSorted(writer, obj);
            }
            else
            {
                WriteTyped(writer, obj);
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses stored (or stamped) bytes into a mutable object.</summary>
    public static JsonObject Parse(ReadOnlySpan<byte> json) =>
        JsonNode.Parse(json) as JsonObject ?? throw new JsonException("a stored value is not a JSON object");

    /// <summary>The object with its resourceVersion, as a GET or a watch event carries it.</summary>
    public static byte[] Stamped(ReadOnlySpan<byte> stored, long resourceVersion, ResourceDefinition resource)
    {
        var buffer = new ArrayBufferWriter<byte>(stored.Length + 32);
        WriteStamped(buffer, stored, resourceVersion, resource, listItem: false);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes the stored object with <c>metadata.resourceVersion</c> set to
    /// <paramref name="resourceVersion"/>; as a list item of a built-in kind it also drops kind and
    /// apiVersion (the apiserver's typed list items carry neither; unstructured ones keep both).
    /// </summary>
    public static void WriteStamped(IBufferWriter<byte> output, ReadOnlySpan<byte> stored, long resourceVersion, ResourceDefinition resource, bool listItem)
    {
        var site = Locate(stored, resource, listItem);
        Span<byte> rvMember = stackalloc byte[48];
        rvMember = ResourceVersionMember(rvMember, resourceVersion);
        output.Write("{"u8);
        output.Write(stored[site.KeptFrom..site.InsertAt]);
        var atClosingBrace = stored[site.InsertAt] == (byte)'}';
        if (atClosingBrace && site.MetadataHasFields)
        {
            output.Write(","u8);
        }

        output.Write(rvMember);
        if (!atClosingBrace)
        {
            output.Write(","u8);
        }

        output.Write(stored[site.InsertAt..]);
    }

    /// <summary>How many bytes <see cref="WriteStamped"/> writes for the same arguments (reads only the head of the object).</summary>
    public static int StampedLength(ReadOnlySpan<byte> stored, long resourceVersion, ResourceDefinition resource, bool listItem)
    {
        var site = Locate(stored, resource, listItem);
        Span<byte> rvMember = stackalloc byte[48];
        var separator = stored[site.InsertAt] != (byte)'}' || site.MetadataHasFields ? 1 : 0;
        return 1 + (site.InsertAt - site.KeptFrom) + separator + ResourceVersionMember(rvMember, resourceVersion).Length + (stored.Length - site.InsertAt);
    }

    /// <summary><c>"resourceVersion":"N"</c> in <paramref name="buffer"/>.</summary>
    private static Span<byte> ResourceVersionMember(Span<byte> buffer, long resourceVersion)
    {
        "\"resourceVersion\":\""u8.CopyTo(buffer);
        resourceVersion.TryFormat(buffer[19..], out var digits, default, CultureInfo.InvariantCulture);
        buffer[19 + digits] = (byte)'"';
        return buffer[..(20 + digits)];
    }

    /// <summary>
    /// Where the stamped form splits the stored bytes: what is kept before the resourceVersion member
    /// (from after the opening brace, or from the first member after kind/apiVersion when a list item
    /// drops them) and where the member goes (before the first metadata field that follows it, or
    /// metadata's closing brace).
    /// </summary>
    private static StampSite Locate(ReadOnlySpan<byte> stored, ResourceDefinition resource, bool listItem)
    {
        var stripTypeMeta = listItem && !resource.Unstructured;
        var reader = new Utf8JsonReader(stored);
        reader.Read(); // StartObject
        var firstKept = -1;
        var insertAt = -1;
        var metadataHasFields = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var start = (int)reader.TokenStartIndex;
            var isTypeMeta = reader.ValueTextEquals("kind"u8) || reader.ValueTextEquals("apiVersion"u8);
            if (!isTypeMeta && firstKept < 0)
            {
                firstKept = start;
            }

            if (reader.ValueTextEquals("metadata"u8))
            {
                reader.Read(); // StartObject of metadata
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (ComesAfterResourceVersion(reader.ValueSpan, resource.Unstructured))
                    {
                        insertAt = (int)reader.TokenStartIndex;
                        break;
                    }

                    metadataHasFields = true;
                    reader.Read();
                    reader.Skip();
                }

                if (insertAt < 0)
                {
                    insertAt = (int)reader.TokenStartIndex; // the closing brace of metadata
                }

                break;
            }

            reader.Read();
            reader.Skip();
        }

        if (insertAt < 0)
        {
            throw new JsonException("a stored object has no metadata");
        }

        return new StampSite(stripTypeMeta ? firstKept : 1, insertAt, metadataHasFields);
    }

    /// <summary>
    /// True when a metadata field named <paramref name="name"/> (raw UTF-8; stored keys have no
    /// escapes) is written after resourceVersion: in ObjectMeta order for built-in kinds, in
    /// sorted order for unstructured ones.
    /// </summary>
    private static bool ComesAfterResourceVersion(ReadOnlySpan<byte> name, bool unstructured)
    {
        if (unstructured)
        {
            return name.SequenceCompareTo("resourceVersion"u8) > 0;
        }

        foreach (var field in AfterResourceVersion)
        {
            if (name.SequenceEqual(field))
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteTyped(Utf8JsonWriter writer, JsonObject obj)
    {
        writer.WriteStartObject();
        foreach (var name in (ReadOnlySpan<string>)["kind", "apiVersion"])
        {
            if (obj[name] is JsonNode value)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }
        }

        if (obj["metadata"] is JsonObject metadata)
        {
            writer.WritePropertyName("metadata");
            writer.WriteStartObject();
            foreach (var name in MetadataOrder)
            {
                if (name == "resourceVersion" || metadata[name] is not JsonNode value)
                {
                    continue;
                }

                writer.WritePropertyName(name);
                if (name is "labels" or "annotations" && value is JsonObject map)
                {
                    WriteSortedShallow(writer, map);
                }
                else
                {
                    value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        foreach (var (name, value) in obj)
        {
            if (name is "kind" or "apiVersion" or "metadata")
            {
                continue;
            }

            writer.WritePropertyName(name);
            if (value is JsonObject map && SortedMapFields.Contains(name))
            {
                WriteSortedShallow(writer, map);
            }
            else if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                value.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteSortedShallow(Utf8JsonWriter writer, JsonObject map)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WritePropertyName(name);
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                value.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteSorted(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (name, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (name == "resourceVersion" && ReferenceEquals(obj.Parent, obj.Root) && obj.GetPropertyName() == "metadata")
                    {
                        continue;
                    }

                    writer.WritePropertyName(name);
                    WriteSorted(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteSorted(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    /// <summary>See <see cref="Locate"/>.</summary>
    private readonly record struct StampSite(int KeptFrom, int InsertAt, bool MetadataHasFields);
}
