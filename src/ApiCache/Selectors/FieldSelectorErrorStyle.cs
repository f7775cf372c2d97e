namespace ApiCache.Selectors;

/// <summary>
/// How the apiserver words an unsupported field selector field. The wording depends on which
/// conversion rejects it, not on the field.
/// </summary>
internal enum FieldSelectorErrorStyle
{
    /// <summary>
    /// <c>field label not supported: spec.foo</c>: kinds with a field label conversion func of their own
    /// (core/v1 Pod, Node, Namespace, Secret, Service, Event, ReplicationController) and custom resources.
    /// </summary>
    FieldLabelNotSupported,

    /// <summary>
    /// <c>"spec.nodeName" is not a known field selector: only "metadata.name", "metadata.namespace"</c>:
    /// every other built-in kind (ConfigMap, Deployment, Lease, ...), via the scheme's default conversion.
    /// </summary>
    NotAKnownFieldSelector,

    /// <summary><c>field label "status.x" not supported for batchv1.Job</c>: batch/v1 Job's own conversion func.</summary>
    NotSupportedForKind,
}
