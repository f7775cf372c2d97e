namespace ApiCache.DevServer.Seeding;

/// <summary>
/// Independent random streams of a seed: each generated thing draws from its own stream, so
/// adding nodes does not change the uids of configmaps, and so on.
/// </summary>
internal enum SeedStream
{
    /// <summary>Namespace objects.</summary>
    Namespace = 1,

    /// <summary>Node objects.</summary>
    Node = 2,

    /// <summary>Pod objects.</summary>
    Pod = 3,

    /// <summary>Workloads (ReplicaSets owning the pods): uid and pod-template-hash.</summary>
    Workload = 4,

    /// <summary>ConfigMap objects.</summary>
    ConfigMap = 5,
}
