using ApiCache.DevServer.Resources;
using ApiCache.DevServer.Storage;

namespace ApiCache.DevServer.Seeding;

/// <summary>
/// Fills a store with a synthetic cluster for demos and benchmarks: namespaces, nodes, pods and
/// configmaps shaped like a real apiserver's objects, written straight into the store in batches.
/// </summary>
/// <remarks>
/// Deterministic: the same options, seed and clock give byte-identical values. Idempotent-ish:
/// the built-in namespaces (<c>default</c>, <c>kube-system</c>, <c>kube-public</c>,
/// <c>kube-node-lease</c>) are created only when missing; every seeded object is written with
/// <see cref="IRevisionedStore.CreateManyAsync"/>, which overwrites, so seeding again replaces the
/// seeded objects (same content, new revisions) and leaves anything else alone, including objects
/// of an earlier, larger seeding.
/// </remarks>
internal static class ClusterSeeder
{
    /// <summary>Generates the cluster of <paramref name="options"/> and writes it to <paramref name="store"/>.</summary>
    /// <param name="store">The store to fill.</param>
    /// <param name="catalog">Where the storage keys of namespaces, nodes, pods and configmaps come from.</param>
    /// <param name="options">What to create.</param>
    /// <param name="time">The clock: creation timestamps are set relative to its current time (second precision).</param>
    /// <param name="cancellationToken">Stops the seeding between batches.</param>
    public static async Task<SeedResult> SeedAsync(
        IRevisionedStore store, ResourceCatalog catalog, SeedOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();

        var namespaces = Require(catalog, "namespaces");
        var nodes = Require(catalog, "nodes");
        var pods = Require(catalog, "pods");
        var configMaps = Require(catalog, "configmaps");

        var utcNow = time.GetUtcNow().UtcDateTime;
        var now = new DateTime(utcNow.Ticks - (utcNow.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var layout = new ClusterLayout(options);
        var writer = new SeedJsonWriter();

        await using var batcher = new SeedBatcher(store, options, cancellationToken);
        var namespaceCount = 0;
        var namespaceGenerator = new NamespaceGenerator(options, layout, writer, now);
        for (var i = 0; i < ClusterLayout.SystemNamespaces.Count; i++)
        {
            var key = namespaces.KeyFor(null, ClusterLayout.SystemNamespaces[i]);
            var existing = await store.RangeAsync(new StoreRangeRequest(key) { SingleKey = true }, cancellationToken);
            if (existing.Items.Count == 0)
            {
                await batcher.AddAsync(key, namespaceGenerator.GenerateSystem(i).Value);
                namespaceCount++;
            }
        }

        for (var i = 0; i < layout.Namespaces.Count; i++)
        {
            await AddAsync(batcher, namespaces, namespaceGenerator.Generate(i), i, cancellationToken);
            namespaceCount++;
        }

        var nodeGenerator = new NodeGenerator(options, layout, writer, now);
        for (var i = 0; i < options.Nodes; i++)
        {
            await AddAsync(batcher, nodes, nodeGenerator.Generate(i), i, cancellationToken);
        }

        var podGenerator = new PodGenerator(options, layout, writer, now);
        for (var i = 0; i < options.Pods; i++)
        {
            await AddAsync(batcher, pods, podGenerator.Generate(i), i, cancellationToken);
        }

        var configMapGenerator = new ConfigMapGenerator(options, layout, writer, now);
        for (var i = 0; i < options.ConfigMaps; i++)
        {
            await AddAsync(batcher, configMaps, configMapGenerator.Generate(i), i, cancellationToken);
        }

        var revision = await batcher.CompleteAsync();
        if (batcher.Batches == 0)
        {
            revision = await store.GetRevisionAsync(cancellationToken);
        }

        return new SeedResult(namespaceCount, options.Nodes, options.Pods, options.ConfigMaps, batcher.TotalBytes, batcher.Batches, revision);
    }

    private static ValueTask AddAsync(SeedBatcher batcher, ResourceDefinition resource, GeneratedObject item, int index, CancellationToken cancellationToken)
    {
        if ((index & 1023) == 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        return batcher.AddAsync(resource.KeyFor(item.Namespace, item.Name), item.Value);
    }

    private static ResourceDefinition Require(ResourceCatalog catalog, string resource) =>
        catalog.Find("", "v1", resource) ?? throw new InvalidOperationException($"the resource catalog has no core/v1 {resource}");
}
