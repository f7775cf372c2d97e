using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace ApiCache.DevServer.Serialization;

/// <summary>
/// Reads a request body into a <see cref="JsonNode"/> with the acceptance rules and error wording of
/// Go's <c>encoding/json</c>, which the apiserver decodes with: syntax errors worded by
/// <see cref="GoJsonSyntax"/>, a repeated member keeps its last value, invalid UTF-8 inside strings
/// becomes U+FFFD. Number literals keep their exact text.
/// </summary>
internal static class JsonBodyReader
{
    /// <summary>
    /// Parses <paramref name="body"/>; on success <paramref name="value"/> is the value (null for a JSON
    /// <c>null</c>), else <paramref name="syntaxError"/> is Go's message.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out JsonNode? value, [NotNullWhen(false)] out string? syntaxError)
    {
        value = null;
        syntaxError = GoJsonSyntax.Check(body);
        if (syntaxError is not null)
        {
            return false;
        }

        // Go accepts any bytes inside strings and decodes invalid UTF-8 to U+FFFD; System.Text.Json refuses them.
        byte[] bytes = Utf8.IsValid(body) ? body.ToArray() : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body));
        var options = new JsonDocumentOptions { MaxDepth = GoJsonSyntax.MaxDepth + 1 };
        using var document = JsonDocument.Parse(bytes, options);
        value = ToNode(document.RootElement.Clone());
        return true;
    }

    /// <summary>Builds a mutable node from an element; a repeated member name keeps its last value, as in Go.</summary>
    private static JsonNode? ToNode(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var map = new JsonObject();
                foreach (var member in element.EnumerateObject())
                {
                    map[member.Name] = ToNode(member.Value);
                }

                return map;
            case JsonValueKind.Array:
                var list = new JsonArray();
                foreach (var item in element.EnumerateArray())
                {
                    list.Add(ToNode(item));
                }

                return list;
            case JsonValueKind.Null:
                return null;
            default:
                return JsonValue.Create(element);
        }
    }
}
