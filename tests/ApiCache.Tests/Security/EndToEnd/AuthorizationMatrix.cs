namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>
/// The identities x requests matrix: every request of <see cref="Reads"/> (then <see cref="Writes"/>)
/// sent as every identity of the cluster, straight to the dev API server and through the proxy,
/// one after the other for each cell; a cell matches when the status and the compared part of the
/// answer (<see cref="MatrixAnswer.Summary"/>) are the same.
/// </summary>
internal static class AuthorizationMatrix
{
    private const string WatchQuery = "watch=true&resourceVersion=0&allowWatchBookmarks=true&timeoutSeconds=3";

    /// <summary>The reads: pods (all, per namespace, by node, by label), nodes (all, by name), configmaps, non-resource paths.</summary>
    public static IReadOnlyList<MatrixRequest> Reads { get; } =
    [
        new("list pods all", "/api/v1/pods", MatrixKind.List),
        new("list pods team-a", "/api/v1/namespaces/team-a/pods", MatrixKind.List),
        new("list pods team-b", "/api/v1/namespaces/team-b/pods", MatrixKind.List),
        new("list pods team-a limit=2", "/api/v1/namespaces/team-a/pods?limit=2", MatrixKind.List),
        new("get pod team-a/web-1 (node-1)", "/api/v1/namespaces/team-a/pods/web-1", MatrixKind.Get),
        new("get pod team-a/web-2 (node-2)", "/api/v1/namespaces/team-a/pods/web-2", MatrixKind.Get),
        new("get pod team-b/web-2 (node-1)", "/api/v1/namespaces/team-b/pods/web-2", MatrixKind.Get),
        new("get pod team-b/web-1 (node-2)", "/api/v1/namespaces/team-b/pods/web-1", MatrixKind.Get),
        new("get missing pod team-b", "/api/v1/namespaces/team-b/pods/nope", MatrixKind.Get),
        new("get missing pod team-a", "/api/v1/namespaces/team-a/pods/nope", MatrixKind.Get),
        new("list pods spec.nodeName=node-1", "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1", MatrixKind.List),
        new("list pods spec.nodeName=node-2", "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-2", MatrixKind.List),
        new("list pods team-a spec.nodeName=node-1", "/api/v1/namespaces/team-a/pods?fieldSelector=spec.nodeName%3Dnode-1", MatrixKind.List),
        new("list pods spec.nodeName=node-1 tier=backend", "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1&labelSelector=tier%3Dbackend", MatrixKind.List),
        new("list pods team-a app=web", "/api/v1/namespaces/team-a/pods?labelSelector=app%3Dweb", MatrixKind.List),
        new("list pods all app in (web,db),release", "/api/v1/pods?labelSelector=app%20in%20(web%2Cdb)%2Crelease", MatrixKind.List),
        new("list pods team-b tier!=frontend", "/api/v1/namespaces/team-b/pods?labelSelector=tier!%3Dfrontend", MatrixKind.List),
        new("watch pods team-a", "/api/v1/namespaces/team-a/pods?" + WatchQuery, MatrixKind.Watch),
        new("watch pods team-b", "/api/v1/namespaces/team-b/pods?" + WatchQuery, MatrixKind.Watch),
        new("watch pods spec.nodeName=node-1", "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1&" + WatchQuery, MatrixKind.Watch),
        new("watch pods team-a sendInitialEvents", "/api/v1/namespaces/team-a/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=3", MatrixKind.Watch),
        new("list nodes", "/api/v1/nodes", MatrixKind.List),
        new("get node node-1", "/api/v1/nodes/node-1", MatrixKind.Get),
        new("get node node-2", "/api/v1/nodes/node-2", MatrixKind.Get),
        new("list nodes metadata.name=node-1", "/api/v1/nodes?fieldSelector=metadata.name%3Dnode-1", MatrixKind.List),
        new("list nodes metadata.name=node-2", "/api/v1/nodes?fieldSelector=metadata.name%3Dnode-2", MatrixKind.List),
        new("watch nodes metadata.name=node-1", "/api/v1/nodes?fieldSelector=metadata.name%3Dnode-1&" + WatchQuery, MatrixKind.Watch),
        new("list configmaps team-a", "/api/v1/namespaces/team-a/configmaps", MatrixKind.List),
        new("get configmap team-a/app-config", "/api/v1/namespaces/team-a/configmaps/app-config", MatrixKind.Get),
        new("list configmaps team-b", "/api/v1/namespaces/team-b/configmaps", MatrixKind.List),
        new("get /version", "/version", MatrixKind.Raw),
        new("get /api", "/api", MatrixKind.Raw),
    ];

    /// <summary>The forwarded writes (run after every read, so the reads see one state).</summary>
    public static IReadOnlyList<MatrixRequest> Writes { get; } =
    [
        new("create configmap team-a", "/api/v1/namespaces/team-a/configmaps", MatrixKind.Create),
    ];

    /// <summary>Runs the whole matrix (identities in parallel, cells of one identity in order); <paramref name="round"/> keeps created names apart.</summary>
    public static async Task<MatrixResult> RunAsync(SecureCluster cluster, string round)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        await cluster.SyncAsync();
        var result = new MatrixResult();
        await Task.WhenAll(cluster.Identities.Select(identity => RunCellsAsync(cluster, identity, Reads, round, result)));
        await Task.WhenAll(cluster.Identities.Select(identity => RunCellsAsync(cluster, identity, Writes, round, result)));
        return result;
    }

    private static async Task RunCellsAsync(SecureCluster cluster, TestIdentity identity, IReadOnlyList<MatrixRequest> requests, string round, MatrixResult result)
    {
        foreach (var request in requests)
        {
            var direct = await MatrixClient.SendAsync(cluster.Client(identity, Route.Direct), request, $"w{round}-{identity.Name}-direct");
            var proxy = await MatrixClient.SendAsync(cluster.Client(identity, Route.Proxy), request, $"w{round}-{identity.Name}-proxy");
            result.Add(identity, request, direct, proxy);
        }
    }
}
