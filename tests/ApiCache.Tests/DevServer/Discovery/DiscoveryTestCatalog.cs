using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApiCache.DevServer.Configuration;
using ApiCache.DevServer.Discovery;
using ApiCache.DevServer.Resources;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Discovery;

/// <summary>
/// The catalog the discovery tests serve (the built-ins plus example.com/v1 widgets configured as
/// the fixtures' CRD: shortName wd, category all, status subresource) and JSON helpers to compare
/// documents with the recorded apiserver answers by field names, order and values.
/// </summary>
internal static class DiscoveryTestCatalog
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The widgets CRD of the fixtures as an extra resource.</summary>
    public static ExtraResourceOptions Widgets()
    {
        var widgets = new ExtraResourceOptions { Group = "example.com", Version = "v1", Resource = "widgets", Kind = "Widget" };
        widgets.ShortNames.Add("wd");
        widgets.Categories.Add("all");
        return widgets;
    }

    /// <summary>Built-ins plus widgets.</summary>
    public static ResourceCatalog Catalog(params ExtraResourceOptions[] more) => new([Widgets(), .. more]);

    /// <summary>The documents of <see cref="Catalog"/>.</summary>
    public static DiscoveryDocuments Documents() => new(Catalog());

    /// <summary>The recorded body of a fixture, parsed.</summary>
    public static JsonNode FixtureJson(string name) => JsonNode.Parse(FixtureUpstream.FixtureBody(name))!;

    /// <summary>A body we produce, parsed.</summary>
    public static JsonNode Parse(byte[] body) => JsonNode.Parse(body)!;

    /// <summary>Compact JSON of <paramref name="node"/> in its own key order: equal text means equal names, order and values.</summary>
    public static string Text(JsonNode? node) => node?.ToJsonString(Compact) ?? "null";

    /// <summary>The property names of an object, in order.</summary>
    public static string[] Keys(JsonNode? node) => [.. node!.AsObject().Select(p => p.Key)];

    /// <summary>The element of an array whose <paramref name="key"/> is <paramref name="value"/>, or null.</summary>
    public static JsonNode? Find(JsonNode? array, string key, string value) =>
        array!.AsArray().FirstOrDefault(e => (string?)e![key] == value);

    /// <summary>
    /// An aggregated-discovery resource of the fixture with only the subresources in
    /// <paramref name="served"/> (the apiserver has exec, log, scale, ...; the dev server only
    /// status); the key disappears when none is left, as it does in the apiserver's JSON.
    /// </summary>
    public static JsonNode WithSubresources(JsonNode fixtureResource, IEnumerable<string> served)
    {
        var copy = fixtureResource.DeepClone().AsObject();
        if (copy["subresources"] is JsonArray subresources)
        {
            var names = served.ToHashSet(StringComparer.Ordinal);
            foreach (var subresource in subresources.ToArray())
            {
                if (!names.Contains((string)subresource!["subresource"]!))
                {
                    subresources.Remove(subresource);
                }
            }

            if (subresources.Count == 0)
            {
                copy.Remove("subresources");
            }
        }

        return copy;
    }
}
