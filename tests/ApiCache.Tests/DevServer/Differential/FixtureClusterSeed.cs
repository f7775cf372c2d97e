using System.Text.Json.Nodes;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Differential;

/// <summary>
/// Rebuilds, in a dev server and through its REST API only, the cluster the shared fixtures were
/// recorded from (<c>shared/fixtures/seed/*</c>), so that the recorded requests can be replayed
/// against it and the answers compared.
/// </summary>
/// <remarks>
/// <para>
/// Order: the two kube-system configmaps the apiserver creates itself, then the seed files in their
/// numbered order (namespaces and service accounts, nodes, pods, configmaps, widgets), then the
/// status writes the recording did by hand (node conditions, then the pods that
/// <c>60-pod-status.json</c> marks as Running). Kinds the dev server does not serve are skipped:
/// RBAC Role/RoleBinding and the CustomResourceDefinition (the widgets resource is registered by
/// <see cref="DevServerHost.StartAsync"/> instead); any other unknown kind fails the seeding so a
/// change of the seed cannot go unnoticed.
/// </para>
/// <para>
/// What the seed files do not hold is taken from the first recorded answers, which saw exactly the
/// seeded state (revision 249): the kube-system configmaps from <c>02-list-configmaps-all</c>, the
/// node conditions from <c>02-list-nodes-all</c>, and the Running pod statuses (IPs, conditions,
/// container statuses) from <c>02-list-pods-all</c>. The recording scripts wrote those statuses with
/// <c>kubectl patch --subresource=status</c>; so does this seeder (strategic merge patches). The
/// recorded <c>qosClass</c> is not copied: the server computes it on create.
/// </para>
/// </remarks>
internal static class FixtureClusterSeed
{
    /// <summary>The recorded cluster's resourceVersion right after seeding (the "current" RV of fixtures 02-list-* and the "older" RV of later ones).</summary>
    public const long RecordedSeedRevision = 249;

    /// <summary>The recorded cluster's resourceVersion after the four writes of <see cref="ApplyRecordedWritesAsync"/>.</summary>
    public const long RecordedWritesRevision = 253;

    /// <summary>Kinds of the seed that the dev server does not serve, skipped on purpose.</summary>
    private static readonly HashSet<string> SkippedKinds = ["rbac.authorization.k8s.io/v1/Role", "rbac.authorization.k8s.io/v1/RoleBinding", "apiextensions.k8s.io/v1/CustomResourceDefinition"];

    private static string SeedDirectory => Path.Join(TestPaths.FixturesDirectory, "seed");

    /// <summary>Creates the seeded cluster in <paramref name="host"/>; returns the store revision afterwards (the counterpart of <see cref="RecordedSeedRevision"/>).</summary>
    public static async Task<long> SeedAsync(DevServerHost host)
    {
        var configMaps = RecordedItems("02-list-configmaps-all");
        foreach (var item in configMaps.Where(i => i["metadata"]!["namespace"]!.GetValue<string>() == "kube-system"))
        {
            await CreateAsync(host, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["metadata"] = new JsonObject { ["name"] = item["metadata"]!["name"]!.DeepClone(), ["namespace"] = "kube-system" },
                ["data"] = item["data"]!.DeepClone(),
            });
        }

        foreach (var file in Directory.GetFiles(SeedDirectory).Order(StringComparer.Ordinal))
        {
            foreach (var obj in LoadManifests(file))
            {
                await CreateAsync(host, obj);
            }
        }

        foreach (var node in RecordedItems("02-list-nodes-all"))
        {
            var patch = new JsonObject { ["status"] = new JsonObject { ["conditions"] = node["status"]!["conditions"]!.DeepClone() } };
            await PatchAsync(host, $"/api/v1/nodes/{Name(node)}/status", patch, "application/strategic-merge-patch+json");
        }

        var pods = RecordedItems("02-list-pods-all").ToDictionary(p => p["metadata"]!["namespace"]!.GetValue<string>() + "/" + Name(p), StringComparer.Ordinal);
        var statuses = JsonNode.Parse(await File.ReadAllTextAsync(Path.Join(SeedDirectory, "60-pod-status.json")))!.AsArray();
        foreach (var entry in statuses.OfType<JsonObject>().Where(e => e["statusPatchedToRunning"]!.GetValue<bool>()))
        {
            var ns = entry["namespace"]!.GetValue<string>();
            var name = entry["name"]!.GetValue<string>();
            var status = (JsonObject)pods[ns + "/" + name]["status"]!.DeepClone();
            Assert.Equal("Running", status["phase"]!.GetValue<string>());
            status.Remove("qosClass");
            await PatchAsync(host, $"/api/v1/namespaces/{ns}/pods/{name}/status", new JsonObject { ["status"] = status }, "application/strategic-merge-patch+json");
        }

        return await host.Store.GetRevisionAsync(CancellationToken.None);
    }

    /// <summary>
    /// The four writes the recording did between revisions 249 and 253 (seen by fixtures
    /// <c>02-list-*-Exact-older-rv</c> onwards), in their recorded order: annotate team-a/web-1,
    /// set app-config's FEATURE_X to "false", resize widget gizmo to 43, label node-3 disk=ssd.
    /// Returns the store revision afterwards (the counterpart of <see cref="RecordedWritesRevision"/>).
    /// </summary>
    public static async Task<long> ApplyRecordedWritesAsync(DevServerHost host)
    {
        const string Merge = "application/merge-patch+json";
        await PatchAsync(host, "/api/v1/namespaces/team-a/pods/web-1", JsonNode.Parse("""{"metadata":{"annotations":{"example.com/touched":"yes"}}}""")!, Merge);
        await PatchAsync(host, "/api/v1/namespaces/team-a/configmaps/app-config", JsonNode.Parse("""{"data":{"FEATURE_X":"false"}}""")!, Merge);
        await PatchAsync(host, "/apis/example.com/v1/namespaces/team-a/widgets/gizmo", JsonNode.Parse("""{"spec":{"size":43}}""")!, Merge);
        await PatchAsync(host, "/api/v1/nodes/node-3", JsonNode.Parse("""{"metadata":{"labels":{"disk":"ssd"}}}""")!, Merge);
        return await host.Store.GetRevisionAsync(CancellationToken.None);
    }

    /// <summary>The objects of one seed file (a YAML stream, or JSON: one object or a v1 List), RBAC and CRD objects left out.</summary>
    private static IEnumerable<JsonObject> LoadManifests(string file)
    {
        var text = File.ReadAllText(file);
        if (file.EndsWith("60-pod-status.json", StringComparison.Ordinal))
        {
            yield break; // not a manifest: which pods got a Running status (applied after the creates)
        }

        var documents = file.EndsWith(".json", StringComparison.Ordinal) ? [JsonNode.Parse(text)!] : YamlJson.ParseDocuments(text);
        foreach (var document in documents.Cast<JsonObject>())
        {
            var objects = document["kind"]?.GetValue<string>() == "List" ? document["items"]!.AsArray().Cast<JsonObject>() : [document];
            foreach (var obj in objects)
            {
                var kind = obj["apiVersion"]!.GetValue<string>() + "/" + obj["kind"]!.GetValue<string>();
                if (!SkippedKinds.Contains(kind))
                {
                    yield return (JsonObject)obj.DeepClone();
                }
            }
        }
    }

    private static async Task CreateAsync(DevServerHost host, JsonObject obj)
    {
        var ns = obj["metadata"]!["namespace"]?.GetValue<string>();
        var collection = (obj["apiVersion"]!.GetValue<string>(), obj["kind"]!.GetValue<string>()) switch
        {
            ("v1", "Namespace") => "/api/v1/namespaces",
            ("v1", "Node") => "/api/v1/nodes",
            ("v1", "ServiceAccount") => $"/api/v1/namespaces/{ns}/serviceaccounts",
            ("v1", "Pod") => $"/api/v1/namespaces/{ns}/pods",
            ("v1", "ConfigMap") => $"/api/v1/namespaces/{ns}/configmaps",
            ("example.com/v1", "Widget") => $"/apis/example.com/v1/namespaces/{ns}/widgets",
            var (apiVersion, kind) => throw new InvalidDataException($"the fixture seed has a {apiVersion} {kind}, which the seeder does not know"),
        };
        await host.CreateAsync(collection, obj.ToJsonString());
    }

    private static async Task PatchAsync(DevServerHost host, string path, JsonNode patch, string contentType)
    {
        var (status, _, text) = await host.SendAsync(HttpMethod.Patch, path, patch.ToJsonString(), contentType);
        Assert.True(status == 200, $"PATCH {path} answered {status}: {text}");
    }

    private static List<JsonObject> RecordedItems(string fixture) =>
        [.. JsonNode.Parse(FixtureUpstream.FixtureText(fixture))!["items"]!.AsArray().Cast<JsonObject>()];

    private static string Name(JsonNode obj) => obj["metadata"]!["name"]!.GetValue<string>();
}
