namespace ApiCache.Consistency;

/// <summary>A cached resource, as revision sources and hosts see it.</summary>
/// <param name="Group">The API group; empty for the core group.</param>
/// <param name="Version">The API version, e.g. <c>v1</c>.</param>
/// <param name="Resource">The resource (plural, lower case), e.g. <c>pods</c>.</param>
/// <param name="EtcdKeyPrefix">
/// Where the apiserver keeps the resource in etcd, ending in '/', e.g. <c>/registry/pods/</c>
/// (from configuration, defaulting to the apiserver's layout).
/// </param>
public sealed record CachedResourceReference(string Group, string Version, string Resource, string EtcdKeyPrefix)
{
    /// <summary>Whether objects of the resource live in namespaces.</summary>
    public bool Namespaced { get; init; }

    /// <summary>The collection's path: <c>/api/v1/pods</c> or <c>/apis/apps/v1/deployments</c>.</summary>
    public string CollectionPath => Group.Length == 0 ? $"/api/{Version}/{Resource}" : $"/apis/{Group}/{Version}/{Resource}";
}
