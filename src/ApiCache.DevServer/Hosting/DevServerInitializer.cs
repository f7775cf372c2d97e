using System.Text.Json.Nodes;
using ApiCache.DevServer.Objects;
using ApiCache.DevServer.Configuration;
using ApiCache.DevServer.Resources;
using ApiCache.DevServer.Seeding;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ApiCache.DevServer.Hosting;

/// <summary>
/// Runs before the server accepts requests: creates the namespaces every cluster has (default,
/// kube-system, kube-public, kube-node-lease) when they are missing, then seeds the synthetic
/// cluster when configured.
/// </summary>
internal sealed partial class DevServerInitializer(
    ResourceStore objects, ResourceCatalog catalog, ObjectPreparer preparer, IOptions<DevServerOptions> options, TimeProvider time, ILogger<DevServerInitializer> logger) : IHostedService
{
    private static readonly string[] SystemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var namespaces = catalog.Find("", "v1", "namespaces")!;
        var created = 0;
        foreach (var name in SystemNamespaces)
        {
            var obj = new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } };
            preparer.PrepareCreate(obj, namespaces, "");
            var result = await objects.Store.CreateAsync(namespaces.KeyFor(null, name), ObjectCodec.ToStored(obj, namespaces), cancellationToken);
            created += result.Succeeded ? 1 : 0;
        }

        var revision = await objects.Store.GetRevisionAsync(cancellationToken);
        LogReady(logger, created, revision);
        if (options.Value.Seed.Enabled)
        {
            var seed = SeedOptions.From(options.Value.Seed);
            seed.Validate();
            var result = await ClusterSeeder.SeedAsync(objects.Store, catalog, seed, time, cancellationToken);
            LogSeeded(logger, result.Nodes, result.Pods, result.ConfigMaps, result.Namespaces, result.TotalBytes / 1024, result.Revision);
        }
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "seeded a synthetic cluster: {Nodes} nodes, {Pods} pods, {ConfigMaps} configmaps in {Namespaces} namespaces ({KiB} KiB), revision {Revision}")]
    private static partial void LogSeeded(ILogger logger, int nodes, int pods, int configMaps, int namespaces, long kiB, long revision);

    [LoggerMessage(Level = LogLevel.Information, Message = "dev API server store ready: {Created} system namespaces created, revision {Revision}")]
    private static partial void LogReady(ILogger logger, int created, long revision);
}
