using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace ApiCache.Tests.Serving.Differential;

/// <summary>
/// Replaces, in a raw response body, the only values that may differ between the proxy and the
/// upstream for the same state, and nothing else (no parsing into a tree, no re-serialization:
/// whitespace, key order and escapes stay as sent):
/// <list type="bullet">
/// <item>a list's top-level <c>metadata.resourceVersion</c> (the revision the list was read at) becomes <c>"&lt;list resourceVersion&gt;"</c>;</item>
/// <item>a non-empty top-level <c>metadata.continue</c> (of a list, or of a 410 Status) becomes its decoded
///   <c>v</c> and <c>start</c>, exactly as encoded (the <c>rv</c> in it is a list revision too).</item>
/// </list>
/// Single objects keep their <c>metadata.resourceVersion</c>: it is the object's own, the same on both sides.
/// </summary>
internal static class VolatileValues
{
    /// <summary>The body with the volatile values substituted; <paramref name="continueToken"/> is the raw token, if any.</summary>
    public static byte[] Normalize(byte[] body, out string? continueToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        continueToken = null;
        if (!TryLocate(body, out var isList, out var resourceVersion, out var continueRange))
        {
            return body;
        }

        var replacements = new List<(int Start, int Length, string Text)>();
        if (isList && resourceVersion is (int rvStart, int rvLength))
        {
            replacements.Add((rvStart, rvLength, "\"<list resourceVersion>\""));
        }

        if (continueRange is (int start, int length) && length > 2)
        {
            continueToken = Encoding.UTF8.GetString(body, start + 1, length - 2);
            replacements.Add((start, length, "\"" + DecodeContinue(continueToken) + "\""));
        }

        if (replacements.Count == 0)
        {
            return body;
        }

        replacements.Sort((a, b) => a.Start.CompareTo(b.Start));
        using var output = new MemoryStream(body.Length);
        var at = 0;
        foreach (var (replaceStart, replaceLength, text) in replacements)
        {
            output.Write(body, at, replaceStart - at);
            output.Write(Encoding.UTF8.GetBytes(text));
            at = replaceStart + replaceLength;
        }

        output.Write(body, at, body.Length - at);
        return output.ToArray();
    }

    /// <summary>
    /// <c>&lt;continue v="meta.k8s.io/v1" rv=&lt;list resourceVersion&gt; start="/team-a/db-0\u0000"&gt;</c>: the
    /// token's members in their order, as their JSON text (escapes kept), the revision left out.
    /// </summary>
    public static string DecodeContinue(string token)
    {
        try
        {
            using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(token));
            var members = document.RootElement.EnumerateObject()
                .Select(static p => p.Name == "rv" && p.Value.ValueKind == JsonValueKind.Number ? "rv=<list resourceVersion>" : p.Name + "=" + p.Value.GetRawText());
            return "<continue " + string.Join(" ", members) + ">";
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return "<undecodable continue token " + token + ">";
        }
    }

    /// <summary>Finds the top-level metadata.resourceVersion and metadata.continue string tokens (quotes included).</summary>
    private static bool TryLocate(byte[] body, out bool isList, out (int, int)? resourceVersion, out (int, int)? continueRange)
    {
        isList = false;
        resourceVersion = null;
        continueRange = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isItems = reader.ValueTextEquals("items"u8) || reader.ValueTextEquals("rows"u8);
                var isMetadata = reader.ValueTextEquals("metadata"u8);
                reader.Read();
                isList |= isItems && reader.TokenType == JsonTokenType.StartArray;
                if (isMetadata && reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isRv = reader.ValueTextEquals("resourceVersion"u8);
                        var isContinue = reader.ValueTextEquals("continue"u8);
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String && (isRv || isContinue))
                        {
                            var range = ((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2);
                            if (isRv)
                            {
                                resourceVersion = range;
                            }
                            else
                            {
                                continueRange = range;
                            }
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
