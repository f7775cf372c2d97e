using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Storage.Decoding;

/// <summary>
/// Objects from the recorded apiserver fixtures as exact bytes: LIST items, watch event objects and
/// single GETs (their expected metadata read independently with <see cref="JsonDocument"/>).
/// </summary>
internal static partial class DecodingFixtures
{
    /// <summary>The exact bytes of every item of a LIST fixture, in order.</summary>
    public static IReadOnlyList<byte[]> ListItems(string name)
    {
        using var document = JsonDocument.Parse(FixtureUpstream.FixtureBody(name));
        return [.. document.RootElement.GetProperty("items").EnumerateArray().Select(static item => Encoding.UTF8.GetBytes(item.GetRawText()))];
    }

    /// <summary>metadata.resourceVersion of a LIST fixture.</summary>
    public static string ListResourceVersion(string name)
    {
        using var document = JsonDocument.Parse(FixtureUpstream.FixtureBody(name));
        return document.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
    }

    /// <summary>The exact bytes of the objects of a watch fixture's ADDED/MODIFIED/DELETED events, with the event type.</summary>
    public static IReadOnlyList<(string Type, byte[] Json)> WatchObjects(string name)
    {
        var events = new List<(string, byte[])>();
        foreach (var line in Encoding.UTF8.GetString(FixtureUpstream.FixtureBody(name)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            var type = document.RootElement.GetProperty("type").GetString()!;
            if (type is "ADDED" or "MODIFIED" or "DELETED")
            {
                events.Add((type, Encoding.UTF8.GetBytes(document.RootElement.GetProperty("object").GetRawText())));
            }
        }

        return events;
    }

    /// <summary>The response body of a fixture (a single object ends with the server's newline).</summary>
    public static byte[] Body(string name) => FixtureUpstream.FixtureBody(name);

    /// <summary>
    /// <paramref name="json"/> without a leading <c>"kind":..,"apiVersion":..,</c> pair, built textually
    /// (an expectation independent of the decoder).
    /// </summary>
    public static byte[] WithoutLeadingTypeMeta(byte[] json)
    {
        var text = Encoding.UTF8.GetString(json).TrimEnd('\n');
        var stripped = LeadingTypeMeta().Replace(text, "{", 1);
        Assert.NotEqual(text, stripped);
        return Encoding.UTF8.GetBytes(stripped);
    }

    /// <summary>Independently read identity of an object: namespace ("" if none), name, uid, resourceVersion, labels.</summary>
    public static (string Namespace, string Name, string Uid, long ResourceVersion, SortedDictionary<string, string> Labels) Expected(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var metadata = document.RootElement.GetProperty("metadata");
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (metadata.TryGetProperty("labels", out var element))
        {
            foreach (var label in element.EnumerateObject())
            {
                labels[label.Name] = label.Value.GetString()!;
            }
        }

        return (
            metadata.TryGetProperty("namespace", out var ns) ? ns.GetString()! : "",
            metadata.GetProperty("name").GetString()!,
            metadata.GetProperty("uid").GetString()!,
            long.Parse(metadata.GetProperty("resourceVersion").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            labels);
    }

    /// <summary>The string at a dotted path of <paramref name="json"/>, or null when absent.</summary>
    public static string? StringAt(byte[] json, string path)
    {
        using var document = JsonDocument.Parse(json);
        var current = document.RootElement;
        foreach (var part in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }

        return current.ValueKind == JsonValueKind.String ? current.GetString() : null;
    }

    [GeneratedRegex("^\\{\"kind\":\"[^\"]*\",\"apiVersion\":\"[^\"]*\",")]
    private static partial Regex LeadingTypeMeta();
}
