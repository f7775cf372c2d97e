namespace ApiCache.Requests;

/// <summary>
/// What a request to the Kubernetes API asks for, derived from its method, path and query the way
/// the apiserver's RequestInfoFactory derives it. Non-resource requests (<c>/version</c>,
/// <c>/healthz</c>, discovery such as <c>/apis/apps</c>) have <see cref="IsResourceRequest"/> false
/// and the lower-cased HTTP method as <see cref="Verb"/>.
/// </summary>
internal sealed record KubernetesRequestInfo
{
    /// <summary>A request for an API resource (as opposed to /version, /healthz, discovery, ...).</summary>
    public bool IsResourceRequest { get; init; }

    /// <summary>
    /// get, list, watch, create, update, patch, delete, deletecollection, proxy; for non-resource
    /// requests the lower-cased HTTP method.
    /// </summary>
    public required string Verb { get; init; }

    /// <summary><c>api</c> or <c>apis</c>; empty for non-resource requests.</summary>
    public string ApiPrefix { get; init; } = "";

    /// <summary>The API group; empty for the core group.</summary>
    public string ApiGroup { get; init; } = "";

    /// <summary>The API version, e.g. <c>v1</c>.</summary>
    public string ApiVersion { get; init; } = "";

    /// <summary>The namespace; empty for cluster-scoped or all-namespace requests.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>The resource, e.g. <c>pods</c>.</summary>
    public string Resource { get; init; } = "";

    /// <summary>The subresource, e.g. <c>status</c>, <c>log</c>, <c>exec</c>.</summary>
    public string Subresource { get; init; } = "";

    /// <summary>
    /// The object name; for list/watch with a <c>metadata.name=</c> field selector, that name
    /// (as the apiserver sets it for authorization).
    /// </summary>
    public string Name { get; init; } = "";

    /// <summary>The request path.</summary>
    public string Path { get; init; } = "";
}
