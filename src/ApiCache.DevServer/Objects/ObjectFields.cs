using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ApiCache.DevServer.Objects;

/// <summary>
/// Reads field-selector values and labels from an object: the string form the apiserver's field
/// sets use (a missing field is "", booleans are "true"/"false", numbers as written).
/// </summary>
internal static class ObjectFields
{
    /// <summary>The value of a dotted field path such as <c>spec.nodeName</c>.</summary>
    public static string Get(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var segment in path.Split('.'))
        {
            node = node is JsonObject o ? o[segment] : null;
            if (node is null)
            {
                return "";
            }
        }

        return node switch
        {
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
            JsonValue value when value.GetValueKind() == JsonValueKind.True => "true",
            JsonValue value when value.GetValueKind() == JsonValueKind.False => "false",
            JsonValue value when value.GetValueKind() == JsonValueKind.Number => value.ToJsonString(),
            _ => "",
        };
    }

    /// <summary>The labels of an object (empty when it has none).</summary>
    public static IReadOnlyDictionary<string, string> Labels(JsonObject obj)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj["metadata"]?["labels"] is JsonObject map)
        {
            foreach (var (key, value) in map)
            {
                labels[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? "";
            }
        }

        return labels;
    }

    /// <summary>A string field of metadata (name, namespace, uid ...), or null.</summary>
    public static string? Metadata(JsonObject obj, string field) =>
        obj["metadata"]?[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>metadata.resourceVersion as a number, or null when absent or empty.</summary>
    public static long? ResourceVersion(JsonObject obj, out bool malformed)
    {
        malformed = false;
        var text = Metadata(obj, "resourceVersion");
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var rv))
        {
            return rv;
        }

        malformed = true;
        return null;
    }
}
