using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ApiCache.DevServer.Objects;

/// <summary>Reads metadata fields from a mutable object.</summary>
internal static class ObjectFields
{
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
