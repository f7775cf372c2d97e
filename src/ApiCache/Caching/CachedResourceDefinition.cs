using ApiCache.Selectors;
using ApiCache.Storage;

namespace ApiCache.Caching;

/// <summary>
/// One cached resource as the cache runs it: its configuration resolved and validated, with what
/// follows from it (collection path, extracted fields, field selector rules). Immutable.
/// </summary>
internal sealed record CachedResourceDefinition
{
    /// <summary>API group ("" for core).</summary>
    public required string Group { get; init; }

    /// <summary>API version.</summary>
    public required string Version { get; init; }

    /// <summary>Resource (plural).</summary>
    public required string Resource { get; init; }

    /// <summary>The kind when known in advance (built-in resources); custom resources learn it from their first list.</summary>
    public string? Kind { get; init; }

    /// <summary>Namespaced or cluster-scoped.</summary>
    public required bool Namespaced { get; init; }

    /// <summary>Served from a CRD (list items carry kind/apiVersion; CRD field selector rules).</summary>
    public required bool IsCustomResource { get; init; }

    /// <summary>What is extracted from each object and which fields are indexed.</summary>
    public required ObjectSchema Schema { get; init; }

    /// <summary>Which field selectors the apiserver accepts for this resource, and its error wording.</summary>
    public required FieldLabelConversion FieldConversion { get; init; }

    /// <summary>How long events are kept.</summary>
    public required TimeSpan HistoryWindow { get; init; }

    /// <summary>The most events kept.</summary>
    public required int HistoryMaxEvents { get; init; }

    /// <summary>The byte budget.</summary>
    public required long MaxBytes { get; init; }

    /// <summary>Where the apiserver keeps this resource in etcd, ending in '/'.</summary>
    public required string EtcdKeyPrefix { get; init; }

    /// <summary>This resource as revision sources and hosts see it.</summary>
    public Consistency.CachedResourceReference Reference => new(Group, Version, Resource, EtcdKeyPrefix) { Namespaced = Namespaced };

    /// <summary>The collection's path on the apiserver across all namespaces: <c>/api/v1/pods</c>, <c>/apis/apps/v1/deployments</c>.</summary>
    public string CollectionPath => Group.Length == 0 ? $"/api/{Version}/{Resource}" : $"/apis/{Group}/{Version}/{Resource}";

    /// <summary>The resource as the apiserver names it in messages and metrics: <c>pods</c>, <c>deployments.apps</c>.</summary>
    public string DisplayName => Group.Length == 0 ? Resource : $"{Resource}.{Group}";
}
