using ApiCache.DevServer.Configuration;

namespace ApiCache.DevServer.Seeding;

/// <summary>What <see cref="ClusterSeeder"/> creates: counts, spread, randomness and batching.</summary>
/// <param name="Nodes">Nodes to create (<c>node-0000</c>, ...).</param>
/// <param name="Pods">Pods to create, spread over namespaces and nodes.</param>
/// <param name="ConfigMaps">ConfigMaps to create, spread over namespaces.</param>
internal sealed record SeedOptions(int Nodes, int Pods, int ConfigMaps)
{
    /// <summary>The most nodes a seed may have (node addresses are unique up to this count).</summary>
    public const int MaxNodes = 1_000_000;

    /// <summary>Namespaces (<c>ns-0</c>, ...) the pods and configmaps are spread over.</summary>
    public int Namespaces { get; init; } = 10;

    /// <summary>Seed of the generator; the same seed (and clock) gives byte-identical objects.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>At most this many objects per <c>CreateManyAsync</c> call.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>
    /// At most this many value bytes per <c>CreateManyAsync</c> call (a single larger object still
    /// goes alone). Keeps batches under etcd's default request limit of 1.5 MiB.
    /// </summary>
    public int MaxBatchBytes { get; init; } = 1024 * 1024;

    /// <summary>Percentage (0-100) of pods left Pending and unscheduled; all are when there are no nodes.</summary>
    public int PendingPercent { get; init; } = 3;

    /// <summary>Pods per workload (ReplicaSet) the layout aims for; namespaces get more workloads, not bigger ones.</summary>
    public int ReplicasPerWorkload { get; init; } = 5;

    /// <summary>The options of a configuration section.</summary>
    public static SeedOptions From(SeedingOptions configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new SeedOptions(configuration.Nodes, configuration.Pods, configuration.ConfigMaps)
        {
            Namespaces = configuration.Namespaces,
            Seed = configuration.Seed,
        };
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        Check(Nodes >= 0 && Nodes <= MaxNodes, nameof(Nodes), Nodes, $"must be between 0 and {MaxNodes}");
        Check(Pods >= 0, nameof(Pods), Pods, "must not be negative");
        Check(ConfigMaps >= 0, nameof(ConfigMaps), ConfigMaps, "must not be negative");
        Check(Namespaces >= 1, nameof(Namespaces), Namespaces, "must be at least 1");
        Check(BatchSize >= 1, nameof(BatchSize), BatchSize, "must be at least 1");
        Check(MaxBatchBytes >= 1, nameof(MaxBatchBytes), MaxBatchBytes, "must be at least 1");
        Check(PendingPercent is >= 0 and <= 100, nameof(PendingPercent), PendingPercent, "must be between 0 and 100");
        Check(ReplicasPerWorkload >= 1, nameof(ReplicasPerWorkload), ReplicasPerWorkload, "must be at least 1");
    }

    private static void Check(bool valid, string name, int value, string rule)
    {
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(name, value, $"seed option {name} {rule}");
        }
    }
}
