namespace ApiCache.DevServer.Resources;

/// <summary>
/// One REST resource the dev server serves: its group/version/resource, kind, scope, names and
/// the storage key prefix it keeps objects under, in the apiserver's etcd layout.
/// </summary>
internal sealed record ResourceDefinition
{
    /// <summary>API group; empty for the core group.</summary>
    public required string Group { get; init; }

    /// <summary>API version, e.g. v1.</summary>
    public required string Version { get; init; }

    /// <summary>Plural resource name, e.g. pods.</summary>
    public required string Resource { get; init; }

    /// <summary>Singular name, e.g. pod.</summary>
    public required string Singular { get; init; }

    /// <summary>Kind, e.g. Pod.</summary>
    public required string Kind { get; init; }

    /// <summary>List kind, e.g. PodList.</summary>
    public string ListKind => Kind + "List";

    /// <summary>True for namespaced resources, false for cluster-scoped ones.</summary>
    public required bool Namespaced { get; init; }

    /// <summary>kubectl short names, e.g. po.</summary>
    public IReadOnlyList<string> ShortNames { get; init; } = [];

    /// <summary>Categories, e.g. all.</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>True when the resource has a <c>status</c> subresource.</summary>
    public bool HasStatus { get; init; }

    /// <summary>
    /// True for resources served as unstructured JSON (CRD-like extra resources): their list items
    /// carry kind and apiVersion, and their list metadata has sorted keys with <c>continue</c> always present.
    /// </summary>
    public bool Unstructured { get; init; }

    /// <summary>The etcd key prefix, ending in '/', e.g. <c>/registry/pods/</c> or <c>/registry/minions/</c>.</summary>
    public required string KeyPrefix { get; init; }

    /// <summary>
    /// The JSON members that follow <c>metadata</c> in an empty object of this kind (Go's zero value),
    /// as the apiserver's BOOKMARK objects show them, e.g. <c>,"spec":{"containers":null},"status":{}</c>; may be empty.
    /// </summary>
    public string EmptyObjectTail { get; init; } = "";

    /// <summary><c>group/version</c>, or just the version for the core group.</summary>
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The key of one object: prefix + namespace/name or prefix + name.</summary>
    public string KeyFor(string? @namespace, string name) =>
        Namespaced ? $"{KeyPrefix}{@namespace}/{name}" : KeyPrefix + name;

    /// <summary>The key prefix of a collection: all namespaces when <paramref name="namespace"/> is empty.</summary>
    public string CollectionPrefix(string? @namespace) =>
        Namespaced && !string.IsNullOrEmpty(@namespace) ? $"{KeyPrefix}{@namespace}/" : KeyPrefix;
}
