using System.Security.Cryptography;
using System.Text;
using ApiCache.DevServer.Resources;

namespace ApiCache.DevServer.Discovery;

/// <summary>
/// The discovery facts of one <see cref="ResourceDefinition"/>: verbs, subresources and storage
/// version hash, as kube-apiserver 1.34 publishes them for the same resource.
/// </summary>
internal static class ResourceDiscovery
{
    /// <summary>Built-in resources list their verbs sorted.</summary>
    private static readonly string[] BuiltInVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    /// <summary>Namespaces have no deletecollection in the apiserver (fixture 01-discovery-api-v1).</summary>
    private static readonly string[] NamespaceVerbs = ["create", "delete", "get", "list", "patch", "update", "watch"];

    /// <summary>CRDs list their verbs in the apiextensions server's own order (fixture 01-discovery-apis-example.com-v1).</summary>
    private static readonly string[] CustomResourceVerbs = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"];

    private static readonly ServedSubresource Status = new("status", ["get", "patch", "update"]);

    /// <summary>The verbs of the resource itself.</summary>
    public static IReadOnlyList<string> Verbs(ResourceDefinition resource)
    {
        if (resource.Unstructured)
        {
            return CustomResourceVerbs;
        }

        return resource is { Group: "", Resource: "namespaces" } ? NamespaceVerbs : BuiltInVerbs;
    }

    /// <summary>The served subresources, sorted by name (only <c>status</c>, when the resource has one).</summary>
    public static IReadOnlyList<ServedSubresource> Subresources(ResourceDefinition resource) =>
        resource.HasStatus ? [Status] : [];

    /// <summary>
    /// The apiserver's storageVersionHash: base64 of the first 8 bytes of SHA-256 over
    /// <c>group/version/kind</c> of the storage version (the served version here).
    /// </summary>
    public static string StorageVersionHash(ResourceDefinition resource)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{resource.Group}/{resource.Version}/{resource.Kind}"));
        return Convert.ToBase64String(digest, 0, 8);
    }
}
