using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ApiCache.Requests;

namespace ApiCache.Tests.DevServer.Differential;

/// <summary>
/// Compares a recorded apiserver body with the dev server's, strictly: same keys, same nesting,
/// same key ORDER (the apiserver's field order is part of its shape), same kinds, values, messages
/// and reasons, same array lengths and element order. Only what cannot match between two clusters
/// is normalised first, identically on both sides:
/// <list type="bullet">
/// <item><c>uid</c>, <c>creationTimestamp</c> and <c>resourceVersion</c> string values (object and list metadata);</item>
/// <item><c>metadata.managedFields</c> is dropped (the issue allows the dev server to omit it);</item>
/// <item>a non-empty <c>metadata.continue</c> becomes its decoded <c>start</c> key (its rv is a resourceVersion;
///   the leading '/' is dropped: the apiserver writes it in cache-served tokens and not in etcd-served ones,
///   see fixtures 06-*-token-format);</item>
/// <item>the current revision in a 504 "Too large resource version: N, current: M" message.</item>
/// </list>
/// </summary>
internal static partial class ApiserverJsonDiff
{
    private const int SnippetLength = 400;

    /// <summary>A normalised deep copy of <paramref name="node"/>.</summary>
    public static JsonNode? Normalize(JsonNode? node)
    {
        var copy = node?.DeepClone();
        NormalizeInPlace(copy, parentKey: null);
        return copy;
    }

    /// <summary>Null when the normalised bodies are equal; otherwise where and how they first differ.</summary>
    public static string? FirstDifference(JsonNode? expected, JsonNode? actual) =>
        Difference(Normalize(expected), Normalize(actual), "$");

    /// <summary>Compact JSON of <paramref name="node"/>, cut to a readable length.</summary>
    public static string Snippet(JsonNode? node)
    {
        var text = node?.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "null";
        return text.Length <= SnippetLength ? text : text[..SnippetLength] + "…";
    }

    private static void NormalizeInPlace(JsonNode? node, string? parentKey)
    {
        switch (node)
        {
            case JsonObject obj:
                if (parentKey == "metadata")
                {
                    obj.Remove("managedFields");
                }

                foreach (var (key, value) in obj.ToList())
                {
                    if (value is JsonValue scalar && scalar.TryGetValue<string>(out var text))
                    {
                        var replacement = key switch
                        {
                            "uid" => "<uid>",
                            "creationTimestamp" => "<creationTimestamp>",
                            "resourceVersion" => "<resourceVersion>",
                            "continue" when parentKey == "metadata" && text.Length > 0 => ContinueStart(text),
                            "message" when obj["reason"]?.GetValue<string>() == "Timeout" => CurrentRevision().Replace(text, "current: <resourceVersion>"),
                            _ => null,
                        };
                        if (replacement is not null)
                        {
                            obj[key] = replacement;
                        }
                    }
                    else
                    {
                        NormalizeInPlace(value, key);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    NormalizeInPlace(item, parentKey);
                }

                break;
            default:
                break;
        }
    }

    private static string ContinueStart(string token) =>
        ContinueToken.Decode(token, out var error) is { } decoded
            ? $"<continue token, start {decoded.Start.TrimStart('/')}>"
            : $"<undecodable continue token: {error}>";

    private static string? Difference(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected, actual)
        {
            case (null, null):
                return null;
            case (JsonObject e, JsonObject a):
                var expectedKeys = e.Select(p => p.Key).ToList();
                var actualKeys = a.Select(p => p.Key).ToList();
                if (!expectedKeys.SequenceEqual(actualKeys))
                {
                    var missing = expectedKeys.Except(actualKeys).ToList();
                    var extra = actualKeys.Except(expectedKeys).ToList();
                    var what = missing.Count > 0 ? $"missing key(s) {Keys(missing)}" + (extra.Count > 0 ? $" and unexpected key(s) {Keys(extra)}" : "")
                        : extra.Count > 0 ? $"unexpected key(s) {Keys(extra)}"
                        : "keys in a different order";
                    return $"{path}: {what}\n  expected keys {Keys(expectedKeys)}\n  actual keys   {Keys(actualKeys)}";
                }

                foreach (var key in expectedKeys)
                {
                    if (Difference(e[key], a[key], path + "." + key) is string difference)
                    {
                        return difference;
                    }
                }

                return null;
            case (JsonArray e, JsonArray a):
                if (e.Count != a.Count)
                {
                    return $"{path}: expected {e.Count} elements but got {a.Count}\n  expected {ElementSummary(e)}\n  actual   {ElementSummary(a)}";
                }

                for (var i = 0; i < e.Count; i++)
                {
                    if (Difference(e[i], a[i], $"{path}[{i}]") is string difference)
                    {
                        return difference;
                    }
                }

                return null;
            case (JsonValue e, JsonValue a) when e.ToJsonString() == a.ToJsonString():
                return null;
            default:
                return $"{path}: values differ\n  expected {Snippet(expected)}\n  actual   {Snippet(actual)}";
        }
    }

    private static string Keys(IEnumerable<string> keys) => "[" + string.Join(", ", keys) + "]";

    /// <summary>The elements' namespace/name when they are objects with metadata, else a snippet of the array.</summary>
    private static string ElementSummary(JsonArray array) =>
        array.All(i => i?["metadata"]?["name"] is not null)
            ? "[" + string.Join(", ", array.Select(i => (i!["metadata"]!["namespace"] is JsonNode ns ? ns.GetValue<string>() + "/" : "") + i["metadata"]!["name"]!.GetValue<string>())) + "]"
            : Snippet(array);

    [GeneratedRegex(@"current: \d+")]
    private static partial Regex CurrentRevision();
}
