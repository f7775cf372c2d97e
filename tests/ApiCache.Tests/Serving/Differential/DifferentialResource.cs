namespace ApiCache.Tests.Serving.Differential;

/// <summary>
/// A resource of the differential matrix: where its collection lives, and the names its selectors
/// and GETs use (objects the writer never deletes).
/// </summary>
/// <param name="Name">The resource, e.g. <c>pods</c>.</param>
/// <param name="ApiPrefix">The group-version prefix, e.g. <c>/api/v1</c> or <c>/apis/example.com/v1</c>.</param>
/// <param name="Namespaced">Whether objects live in namespaces.</param>
/// <param name="KeptNamespace">The namespace of <paramref name="KeptName"/> (empty for cluster-scoped ones).</param>
/// <param name="KeptName">An object that always exists.</param>
/// <param name="PhaseSelector">A <c>status.phase</c> selector that the resource supports, or one it rejects.</param>
internal sealed record DifferentialResource(string Name, string ApiPrefix, bool Namespaced, string KeptNamespace, string KeptName, string PhaseSelector)
{
    /// <summary>The five resources: pods, nodes, configmaps, namespaces and the widgets CRD.</summary>
    public static IReadOnlyList<DifferentialResource> All { get; } =
    [
        new("pods", "/api/v1", true, "team-a", "web-1", "status.phase=Running"),
        new("nodes", "/api/v1", false, "", "node-2", "status.phase=Running"),
        new("configmaps", "/api/v1", true, "team-a", "app-config", "status.phase=Running"),
        new("namespaces", "/api/v1", false, "", "team-a", "status.phase=Active"),
        new("widgets", "/apis/example.com/v1", true, "team-a", "gizmo", "status.phase=Running"),
    ];

    /// <summary>The name in metrics: <c>pods</c>, or <c>widgets.example.com</c> for the CRD.</summary>
    public string DisplayName => ApiPrefix.StartsWith("/apis/", StringComparison.Ordinal) ? Name + "." + ApiPrefix.Split('/')[2] : Name;

    /// <summary>The collection path, across namespaces when <paramref name="ns"/> is null.</summary>
    public string CollectionPath(string? ns) => ns is null ? $"{ApiPrefix}/{Name}" : $"{ApiPrefix}/namespaces/{ns}/{Name}";

    /// <summary>The path of one object.</summary>
    public string ObjectPath(string ns, string name) => CollectionPath(Namespaced ? ns : null) + "/" + name;
}
