namespace ApiCache.DevServer.Seeding;

/// <summary>What a seeding wrote.</summary>
/// <param name="Namespaces">Namespace objects written (the seeded ones plus the built-in ones that were missing).</param>
/// <param name="Nodes">Node objects written.</param>
/// <param name="Pods">Pod objects written.</param>
/// <param name="ConfigMaps">ConfigMap objects written.</param>
/// <param name="TotalBytes">Sum of the value sizes written.</param>
/// <param name="Batches">Number of <c>CreateManyAsync</c> calls.</param>
/// <param name="Revision">The store revision after the last write.</param>
internal sealed record SeedResult(int Namespaces, int Nodes, int Pods, int ConfigMaps, long TotalBytes, int Batches, long Revision)
{
    /// <summary>All objects written.</summary>
    public int Objects => Namespaces + Nodes + Pods + ConfigMaps;
}
