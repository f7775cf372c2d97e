using ApiCache.Caching;
using ApiCache.DevServer.Configuration;

namespace ApiCache.DevServer.Resources;

/// <summary>
/// The resources the dev server serves: the built-in core/v1, apps/v1 and coordination.k8s.io/v1
/// types, plus the extra resources from configuration. Lookups by group, version and plural name.
/// </summary>
internal sealed class ResourceCatalog
{
    private readonly Dictionary<(string Group, string Version, string Resource), ResourceDefinition> _byName = [];

    /// <summary>Creates the catalog of the built-in resources plus <paramref name="extras"/>.</summary>
    public ResourceCatalog(IEnumerable<ExtraResourceOptions>? extras = null)
    {
        var all = new List<ResourceDefinition>(BuiltIn());
        foreach (var extra in extras ?? [])
        {
            all.Add(new ResourceDefinition
            {
                Group = extra.Group,
                Version = extra.Version,
                Resource = extra.Resource,
                Singular = extra.Singular ?? extra.Kind.ToLowerInvariant(),
                Kind = extra.Kind,
                Namespaced = extra.Namespaced,
                ShortNames = [.. extra.ShortNames],
                Categories = [.. extra.Categories],
                HasStatus = extra.HasStatus,
                Unstructured = true,
                KeyPrefix = $"/registry/{extra.Group}/{extra.Resource}/",
            });
        }

        foreach (var resource in all)
        {
            if (!_byName.TryAdd((resource.Group, resource.Version, resource.Resource), resource))
            {
                throw new ArgumentException($"resource {resource.Resource} of {resource.GroupVersion} is defined twice", nameof(extras));
            }
        }

        Resources = all;
    }

    /// <summary>Every served resource, built-ins first, in a stable order.</summary>
    public IReadOnlyList<ResourceDefinition> Resources { get; }

    /// <summary>The served group/versions, core first, in order of first appearance.</summary>
    public IEnumerable<(string Group, string Version)> GroupVersions =>
        Resources.Select(r => (r.Group, r.Version)).Distinct();

    /// <summary>Finds a resource; null when it is not served.</summary>
    public ResourceDefinition? Find(string group, string version, string resource) =>
        _byName.GetValueOrDefault((group, version, resource));

    /// <summary>The built-in resources.</summary>
    private static IEnumerable<ResourceDefinition> BuiltIn()
    {
        yield return Core("namespaces", "namespace", "Namespace", namespaced: false, "/registry/namespaces/", shortNames: ["ns"],
            hasStatus: true);
        yield return Core("nodes", "node", "Node", namespaced: false, "/registry/minions/", shortNames: ["no"],
            hasStatus: true);
        yield return Core("pods", "pod", "Pod", namespaced: true, "/registry/pods/", shortNames: ["po"], categories: ["all"],
            hasStatus: true);
        yield return Core("configmaps", "configmap", "ConfigMap", namespaced: true, "/registry/configmaps/", shortNames: ["cm"]);
        yield return Core("secrets", "secret", "Secret", namespaced: true, "/registry/secrets/");
        yield return Core("services", "service", "Service", namespaced: true, "/registry/services/specs/", shortNames: ["svc"], categories: ["all"],
            hasStatus: true);
        yield return Core("endpoints", "endpoints", "Endpoints", namespaced: true, "/registry/services/endpoints/", shortNames: ["ep"]);
        yield return Core("events", "event", "Event", namespaced: true, "/registry/events/", shortNames: ["ev"]);
        yield return Core("serviceaccounts", "serviceaccount", "ServiceAccount", namespaced: true, "/registry/serviceaccounts/", shortNames: ["sa"]);
        yield return new ResourceDefinition
        {
            Group = "apps", Version = "v1", Resource = "deployments", Singular = "deployment", Kind = "Deployment",
            Namespaced = true, ShortNames = ["deploy"], Categories = ["all"], HasStatus = true,
            KeyPrefix = "/registry/deployments/",
            EmptyObjectTail = BuiltInResources.EmptyObjectTail("apps", "deployments"),
        };
        yield return new ResourceDefinition
        {
            Group = "coordination.k8s.io", Version = "v1", Resource = "leases", Singular = "lease", Kind = "Lease",
            Namespaced = true, KeyPrefix = "/registry/leases/", EmptyObjectTail = BuiltInResources.EmptyObjectTail("coordination.k8s.io", "leases"),
        };
    }

    private static ResourceDefinition Core(
        string resource, string singular, string kind, bool namespaced, string keyPrefix,
        string[]? shortNames = null, string[]? categories = null, bool hasStatus = false) => new()
        {
            Group = "",
            Version = "v1",
            Resource = resource,
            Singular = singular,
            Kind = kind,
            Namespaced = namespaced,
            KeyPrefix = keyPrefix,
            ShortNames = shortNames ?? [],
            Categories = categories ?? [],
            HasStatus = hasStatus,
            EmptyObjectTail = BuiltInResources.EmptyObjectTail("", resource),
        };
}
