namespace ApiCache.DevServer.Configuration;

/// <summary>
/// A synthetic cluster to create in the dev server's store at start-up, for demos and benchmarks
/// (configuration section <c>DevServer:Seed</c>). Nothing is seeded while all three counts are 0.
/// </summary>
/// <remarks>
/// The cluster is deterministic: the same counts, <see cref="Seed"/> and clock give byte-identical
/// objects. Seeding writes straight into the store in batches (no API calls), creates the Namespace
/// objects it uses plus <c>default</c>, <c>kube-system</c>, <c>kube-public</c> and
/// <c>kube-node-lease</c> when they are missing, and overwrites its own objects when run again.
/// </remarks>
public sealed class SeedingOptions
{
    /// <summary>Nodes to create, named <c>node-0000</c>, <c>node-0001</c>, ... (default 0).</summary>
    public int Nodes { get; set; }

    /// <summary>
    /// Pods to create (default 0), grouped in ReplicaSet-owned workloads, spread over the nodes
    /// and namespaces; most are Running, a few are Pending and unscheduled.
    /// </summary>
    public int Pods { get; set; }

    /// <summary>ConfigMaps to create, spread over the namespaces (default 0).</summary>
    public int ConfigMaps { get; set; }

    /// <summary>Namespaces the pods and configmaps are spread over, named <c>ns-0</c>, <c>ns-1</c>, ... (default 10).</summary>
    public int Namespaces { get; set; } = 10;

    /// <summary>Seed of the generator: uids, names, placement and labels follow from it (default 1).</summary>
    public int Seed { get; set; } = 1;

    /// <summary>True when there is anything to seed.</summary>
    public bool Enabled => Nodes > 0 || Pods > 0 || ConfigMaps > 0;
}
