namespace ApiCache.DevServer.Security;

/// <summary>The kinds of object the Node authorizer relates to a node through the pods bound to it.</summary>
internal enum Vertex
{
    /// <summary>A pod: related when bound to the node.</summary>
    Pod,

    /// <summary>A secret a bound pod refers to.</summary>
    Secret,

    /// <summary>A configmap a bound pod refers to.</summary>
    ConfigMap,

    /// <summary>A persistent volume claim a bound pod mounts.</summary>
    PersistentVolumeClaim,

    /// <summary>The service account of a bound pod.</summary>
    ServiceAccount,

    /// <summary>A resource claim a bound pod uses.</summary>
    ResourceClaim,

    /// <summary>Objects the dev server does not keep (persistent volumes, volume attachments, resource slices): never related.</summary>
    Other,
}
