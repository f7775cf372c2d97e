namespace ApiCache.Configuration;

/// <summary>One cached resource (a built-in type or a custom resource), bound from an entry of <c>ApiCache:Cache:Resources</c>.</summary>
public sealed class CachedResourceOptions
{
    /// <summary>The API group; empty for the core group (<c>/api/v1</c>).</summary>
    public string Group { get; set; } = "";

    /// <summary>The API version, e.g. <c>v1</c>.</summary>
    public string Version { get; set; } = "v1";

    /// <summary>The resource (plural, lower case), e.g. <c>pods</c>.</summary>
    public string Resource { get; set; } = "";

    /// <summary>
    /// Namespaced (true) or cluster-scoped (false). May be left out for built-in resources, whose
    /// scope is known; required for custom resources.
    /// </summary>
    public bool? Namespaced { get; set; }

    /// <summary>Cache this resource. False keeps the entry (e.g. to override a default) but forwards its requests.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Field paths (dotted JSON paths of scalar fields, e.g. <c>spec.nodeName</c>) to index, so
    /// field selectors and watches on them avoid scans. Null: the default (pods: <c>spec.nodeName</c>;
    /// other resources: none).
    /// </summary>
#pragma warning disable CA2227 // Options classes are bound from configuration, which needs a setter.
    public IList<string>? IndexedFields { get; set; }

    /// <summary>
    /// For a custom resource: the <c>selectableFields</c> of its CRD version (JSON paths without the
    /// leading dot), which field selectors may use besides <c>metadata.name</c>/<c>metadata.namespace</c>.
    /// Built-in resources have theirs built in.
    /// </summary>
    public IList<string>? SelectableFields { get; set; }
#pragma warning restore CA2227

    /// <summary>How long this resource's events are kept; null: <see cref="CacheOptions.HistoryWindow"/>.</summary>
    public TimeSpan? HistoryWindow { get; set; }

    /// <summary>The most events kept for this resource; null: <see cref="CacheOptions.HistoryMaxEvents"/>.</summary>
    public int? HistoryMaxEvents { get; set; }

    /// <summary>This resource's byte budget; null: <see cref="CacheOptions.MaxBytesPerResource"/>.</summary>
    public long? MaxBytes { get; set; }

    /// <summary>
    /// Where the apiserver keeps this resource in etcd, e.g. <c>/registry/minions/</c>, for the etcd
    /// revision source; null: the apiserver's layout under <see cref="EtcdRevisionSourceOptions.KeyPrefix"/>.
    /// </summary>
    public string? EtcdKeyPrefix { get; set; }
}
