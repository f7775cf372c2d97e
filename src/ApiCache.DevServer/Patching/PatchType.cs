namespace ApiCache.DevServer.Patching;

/// <summary>The PATCH body formats the dev server applies (server-side apply is not one of them).</summary>
internal enum PatchType
{
    /// <summary>JSON Patch (RFC 6902), <c>application/json-patch+json</c>: a list of operations.</summary>
    Json,

    /// <summary>JSON Merge Patch (RFC 7386), <c>application/merge-patch+json</c>: what kubectl label/annotate send.</summary>
    Merge,

    /// <summary>
    /// Kubernetes strategic merge patch, <c>application/strategic-merge-patch+json</c>: merge patch with
    /// keyed list merging; what kubectl apply (client-side) and kubectl patch send for built-in types.
    /// </summary>
    StrategicMerge,
}
