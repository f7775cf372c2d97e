using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>
/// Finds what a caller allowed in one namespace must never receive in a response body: any JSON
/// object at any depth (list items, watch event objects, bookmark objects, Table rows' objects)
/// whose <c>metadata.namespace</c> is another namespace, any bookmark carrying more than a
/// resourceVersion, and any of a set of UIDs anywhere in the bytes (which also covers bodies that
/// are not JSON).
/// </summary>
internal static class ForeignObjects
{
    /// <summary>Descriptions of what in <paramref name="body"/> is outside <paramref name="allowedNamespace"/> or has one of <paramref name="forbiddenUids"/>; empty when nothing.</summary>
    public static IReadOnlyList<string> Find(byte[] body, string allowedNamespace, IReadOnlyCollection<string> forbiddenUids)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(forbiddenUids);
        var found = new List<string>();
        var text = Encoding.UTF8.GetString(body);
        foreach (var uid in forbiddenUids)
        {
            if (text.Contains(uid, StringComparison.Ordinal))
            {
                found.Add($"uid {uid}");
            }
        }

        foreach (var document in Documents(text))
        {
            if (document is JsonObject frame && frame["type"]?.GetValueKind() == JsonValueKind.String
                && frame["type"]!.GetValue<string>() == "BOOKMARK" && frame["object"]?["metadata"] is JsonObject bookmark)
            {
                foreach (var (key, _) in bookmark)
                {
                    if (key is not ("resourceVersion" or "annotations"))
                    {
                        found.Add($"bookmark carrying metadata.{key}: {frame.ToJsonString()}");
                    }
                }
            }

            Walk(document, allowedNamespace, found);
        }

        return found;
    }

    /// <summary>How many objects of <paramref name="ns"/> <paramref name="body"/> holds (the positive control of the leak checks).</summary>
    public static int Count(byte[] body, string ns)
    {
        ArgumentNullException.ThrowIfNull(body);
        var found = new List<string>();
        foreach (var document in Documents(Encoding.UTF8.GetString(body)))
        {
            Walk(document, null, found, ns);
        }

        return found.Count;
    }

    private static IEnumerable<JsonNode> Documents(string text)
    {
        var whole = TryParse(text);
        if (whole is not null)
        {
            yield return whole;
            yield break;
        }

        // A watch stream: one JSON document per line.
        foreach (var line in text.Split('\n'))
        {
            if (TryParse(line) is { } node)
            {
                yield return node;
            }
        }
    }

    private static JsonNode? TryParse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Collects objects whose namespace is not <paramref name="allowed"/> (or, with <paramref name="only"/>, is <paramref name="only"/>).</summary>
    private static void Walk(JsonNode? node, string? allowed, List<string> found, string? only = null)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["metadata"] is JsonObject metadata
                    && metadata["namespace"] is JsonValue value
                    && value.TryGetValue<string>(out var ns)
                    && (only is null ? ns != allowed : ns == only))
                {
                    found.Add($"{obj["kind"]} {ns}/{metadata["name"]}");
                }

                foreach (var (_, child) in obj)
                {
                    Walk(child, allowed, found, only);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Walk(child, allowed, found, only);
                }

                break;
        }
    }
}
