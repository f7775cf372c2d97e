using System.Text.Json;
using ApiCache.DevServer.Resources;

namespace ApiCache.DevServer.Discovery;

/// <summary>
/// The aggregated discovery document (APIGroupDiscoveryList, apidiscovery.k8s.io v2 or v2beta1:
/// same shape) in the apiserver's compact JSON (fixtures 01-discovery-api-aggregated and
/// 01-discovery-apis-aggregated). Built-in resources carry an empty group/version in
/// responseKind, as the apiserver writes them; CRD-like ones carry their own.
/// </summary>
internal static class AggregatedDiscoveryWriter
{
    /// <summary>The list of <paramref name="groups"/>; <paramref name="apiVersion"/> is e.g. apidiscovery.k8s.io/v2.</summary>
    public static byte[] Write(IEnumerable<ServedGroup> groups, string apiVersion) => DiscoveryJson.Compact(json =>
    {
        json.WriteStartObject();
        json.WriteString("kind", "APIGroupDiscoveryList");
        json.WriteString("apiVersion", apiVersion);
        json.WriteStartObject("metadata");
        json.WriteEndObject();
        json.WriteStartArray("items");
        foreach (var group in groups)
        {
            WriteGroup(json, group);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });

    private static void WriteGroup(Utf8JsonWriter json, ServedGroup group)
    {
        json.WriteStartObject();
        json.WriteStartObject("metadata");
        if (group.Name.Length > 0)
        {
            json.WriteString("name", group.Name);
        }

        json.WriteEndObject();
        json.WriteStartArray("versions");
        foreach (var version in group.Versions)
        {
            json.WriteStartObject();
            json.WriteString("version", version.Version);
            json.WriteStartArray("resources");
            foreach (var resource in version.Resources)
            {
                WriteResource(json, resource);
            }

            json.WriteEndArray();
            json.WriteString("freshness", "Current");
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteResource(Utf8JsonWriter json, ResourceDefinition resource)
    {
        json.WriteStartObject();
        json.WriteString("resource", resource.Resource);
        WriteResponseKind(json, resource);
        json.WriteString("scope", resource.Namespaced ? "Namespaced" : "Cluster");
        json.WriteString("singularResource", resource.Singular);
        DiscoveryJson.WriteStrings(json, "verbs", ResourceDiscovery.Verbs(resource));
        if (resource.ShortNames.Count > 0)
        {
            DiscoveryJson.WriteStrings(json, "shortNames", resource.ShortNames);
        }

        if (resource.Categories.Count > 0)
        {
            DiscoveryJson.WriteStrings(json, "categories", resource.Categories);
        }

        var subresources = ResourceDiscovery.Subresources(resource);
        if (subresources.Count > 0)
        {
            json.WriteStartArray("subresources");
            foreach (var subresource in subresources)
            {
                json.WriteStartObject();
                json.WriteString("subresource", subresource.Name);
                WriteResponseKind(json, resource);
                DiscoveryJson.WriteStrings(json, "verbs", subresource.Verbs);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private static void WriteResponseKind(Utf8JsonWriter json, ResourceDefinition resource)
    {
        json.WriteStartObject("responseKind");
        json.WriteString("group", resource.Unstructured ? resource.Group : "");
        json.WriteString("version", resource.Unstructured ? resource.Version : "");
        json.WriteString("kind", resource.Kind);
        json.WriteEndObject();
    }
}
