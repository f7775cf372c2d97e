using System.Text.Json;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace ApiCache.Tests.Selectors;

/// <summary>Reads the selector fixtures: request lines (URL-decoded query), Status messages and list items.</summary>
internal static class SelectorFixtures
{
    /// <summary>The request path of a fixture, without the query.</summary>
    public static string Path(string name) => Target(name).Split('?')[0];

    /// <summary>A URL-decoded query parameter of a fixture's request line ('+' is a space), or null.</summary>
    public static string? Query(string name, string parameter)
    {
        var target = Target(name);
        var question = target.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return null;
        }

        var query = QueryHelpers.ParseQuery(target[question..]);
        return query.TryGetValue(parameter, out var values) ? values.ToString() : null;
    }

    /// <summary>The <c>message</c> of a fixture's Status body.</summary>
    public static string StatusMessage(string name)
    {
        using var document = JsonDocument.Parse(FixtureUpstream.FixtureBody(name));
        return document.RootElement.GetProperty("message").GetString()!;
    }

    /// <summary>The items of a fixture's list body.</summary>
    public static IReadOnlyList<JsonElement> Items(string name)
    {
        using var document = JsonDocument.Parse(FixtureUpstream.FixtureBody(name));
        return [.. document.RootElement.GetProperty("items").EnumerateArray().Select(item => item.Clone())];
    }

    /// <summary>namespace/name of an item (just the name for cluster-scoped objects).</summary>
    public static string Key(JsonElement item)
    {
        var metadata = item.GetProperty("metadata");
        var name = metadata.GetProperty("name").GetString();
        return metadata.TryGetProperty("namespace", out var ns) ? ns.GetString() + "/" + name : name!;
    }

    /// <summary>The labels of an item (empty when it has none).</summary>
    public static Dictionary<string, string> Labels(JsonElement item)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (item.GetProperty("metadata").TryGetProperty("labels", out var element))
        {
            foreach (var label in element.EnumerateObject())
            {
                labels[label.Name] = label.Value.GetString()!;
            }
        }

        return labels;
    }

    private static string Target(string name)
    {
        var requestLine = File.ReadLines(System.IO.Path.Join(TestPaths.FixturesDirectory, name + ".request.txt")).First();
        return requestLine.Split(' ')[1];
    }
}
