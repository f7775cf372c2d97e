using System.Text.Json;
using ApiCache.DevServer.Resources;

namespace ApiCache.DevServer.Discovery;

/// <summary>
/// The unaggregated discovery documents (APIVersions, APIGroupList, APIGroup, APIResourceList)
/// in the apiserver's compact JSON, keys in its order (fixtures 01-discovery-api*, 01-discovery-apis*).
/// </summary>
internal static class LegacyDiscoveryWriter
{
    /// <summary><c>/api</c>: the core versions and the address clients reach the server at.</summary>
    public static byte[] ApiVersions(IEnumerable<string> versions, string serverAddress) => DiscoveryJson.Compact(json =>
    {
        json.WriteStartObject();
        json.WriteString("kind", "APIVersions");
        DiscoveryJson.WriteStrings(json, "versions", versions);
        json.WriteStartArray("serverAddressByClientCIDRs");
        json.WriteStartObject();
        json.WriteString("clientCIDR", "0.0.0.0/0");
        json.WriteString("serverAddress", serverAddress);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    });

    /// <summary><c>/apis</c>: every named group.</summary>
    public static byte[] GroupList(IEnumerable<ServedGroup> groups) => DiscoveryJson.Compact(json =>
    {
        json.WriteStartObject();
        json.WriteString("kind", "APIGroupList");
        json.WriteString("apiVersion", "v1");
        json.WriteStartArray("groups");
        foreach (var group in groups)
        {
            json.WriteStartObject();
            WriteGroupBody(json, group);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });

    /// <summary><c>/apis/{group}</c>.</summary>
    public static byte[] Group(ServedGroup group) => DiscoveryJson.Compact(json =>
    {
        json.WriteStartObject();
        json.WriteString("kind", "APIGroup");
        json.WriteString("apiVersion", "v1");
        WriteGroupBody(json, group);
        json.WriteEndObject();
    });

    /// <summary>
    /// <c>/api/v1</c> or <c>/apis/{group}/{version}</c>: each resource followed by its subresources.
    /// The core list has no apiVersion (as the apiserver writes it); group lists say v1.
    /// </summary>
    public static byte[] ResourceList(ServedGroupVersion groupVersion) => DiscoveryJson.Compact(json =>
    {
        json.WriteStartObject();
        json.WriteString("kind", "APIResourceList");
        if (groupVersion.Group.Length > 0)
        {
            json.WriteString("apiVersion", "v1");
        }

        json.WriteString("groupVersion", groupVersion.GroupVersion);
        json.WriteStartArray("resources");
        foreach (var resource in groupVersion.Resources)
        {
            WriteResource(json, resource);
            foreach (var subresource in ResourceDiscovery.Subresources(resource))
            {
                json.WriteStartObject();
                json.WriteString("name", resource.Resource + "/" + subresource.Name);
                json.WriteString("singularName", "");
                json.WriteBoolean("namespaced", resource.Namespaced);
                json.WriteString("kind", resource.Kind);
                DiscoveryJson.WriteStrings(json, "verbs", subresource.Verbs);
                json.WriteEndObject();
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });

    private static void WriteResource(Utf8JsonWriter json, ResourceDefinition resource)
    {
        json.WriteStartObject();
        json.WriteString("name", resource.Resource);
        json.WriteString("singularName", resource.Singular);
        json.WriteBoolean("namespaced", resource.Namespaced);
        json.WriteString("kind", resource.Kind);
        DiscoveryJson.WriteStrings(json, "verbs", ResourceDiscovery.Verbs(resource));
        if (resource.ShortNames.Count > 0)
        {
            DiscoveryJson.WriteStrings(json, "shortNames", resource.ShortNames);
        }

        if (resource.Categories.Count > 0)
        {
            DiscoveryJson.WriteStrings(json, "categories", resource.Categories);
        }

        json.WriteString("storageVersionHash", ResourceDiscovery.StorageVersionHash(resource));
        json.WriteEndObject();
    }

    /// <summary>name, versions, preferredVersion.</summary>
    private static void WriteGroupBody(Utf8JsonWriter json, ServedGroup group)
    {
        json.WriteString("name", group.Name);
        json.WriteStartArray("versions");
        foreach (var version in group.Versions)
        {
            WriteGroupVersionForDiscovery(json, version);
        }

        json.WriteEndArray();
        json.WritePropertyName("preferredVersion");
        WriteGroupVersionForDiscovery(json, group.Preferred);
    }

    private static void WriteGroupVersionForDiscovery(Utf8JsonWriter json, ServedGroupVersion version)
    {
        json.WriteStartObject();
        json.WriteString("groupVersion", version.GroupVersion);
        json.WriteString("version", version.Version);
        json.WriteEndObject();
    }
}
