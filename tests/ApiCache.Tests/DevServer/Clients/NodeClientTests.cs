using System.Globalization;
using System.Text.Json.Nodes;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Clients;

/// <summary>
/// The official Kubernetes JavaScript client (@kubernetes/client-node, run by node from
/// tests/ApiCache.Tests/Clients/node) against the dev API server: a CoreV1Api list, then an
/// informer (list + watch) that must see the initial objects and later creates, updates and
/// deletes in order.
/// </summary>
public sealed class NodeClientTests
{
    private const string Namespace = "node-client";
    private static readonly TimeSpan LineWait = TimeSpan.FromSeconds(60);

    private static long Rv(string resourceVersion) => long.Parse(resourceVersion, CultureInfo.InvariantCulture);

    private static string Rv(JsonNode obj) => obj["metadata"]!["resourceVersion"]!.GetValue<string>();

    /// <summary>The next line that is not a (re)connect notice, parsed.</summary>
    private static async Task<JsonNode> NextEventAsync(NodeClientRunner client)
    {
        for (var i = 0; i < 100; i++)
        {
            var line = await client.NextLineAsync(LineWait);
            var json = JsonNode.Parse(line) ?? throw new InvalidOperationException($"not JSON: {line}\n{client.Report()}");
            if (json["event"]!.GetValue<string>() != "connect")
            {
                return json;
            }
        }

        throw new InvalidOperationException("the informer only reconnected.\n" + client.Report());
    }

    [Fact]
    public async Task ListAndInformer_AgainstDevServer_SeeInitialObjectsThenChangesInOrder()
    {
        await using var host = await DevServerHost.StartAsync();
        await host.CreateNamespaceAsync(Namespace);
        var alpha = await host.CreateConfigMapAsync(Namespace, "alpha");
        var beta = await host.CreateConfigMapAsync(Namespace, "beta");

        // Informer events expected: add alpha, add beta, add gamma, update alpha, delete beta.
        await using var client = await NodeClientRunner.StartAsync(
            "informer.mjs",
            [host.Address.GetLeftPart(UriPartial.Authority), Namespace, "5", "90"],
            TimeSpan.FromSeconds(120));

        var list = await NextEventAsync(client);
        Assert.True(list["event"]!.GetValue<string>() == "list", client.Report());
        Assert.Equal(["alpha", "beta"], list["names"]!.AsArray().Select(n => n!.GetValue<string>()).Order());
        Assert.True(Rv(list["resourceVersion"]!.GetValue<string>()) >= Rv(Rv(beta)), client.Report());

        var initial = new[] { await NextEventAsync(client), await NextEventAsync(client) };
        Assert.All(initial, e => Assert.True(e["event"]!.GetValue<string>() == "add", client.Report()));
        Assert.Equal(
            [("alpha", Rv(alpha)), ("beta", Rv(beta))],
            initial.Select(e => (e["name"]!.GetValue<string>(), e["resourceVersion"]!.GetValue<string>())).Order());

        // The informer has listed; whether or not its watch is open yet, it resumes from the list's
        // resourceVersion, so every change below must reach it.
        var gamma = await host.CreateConfigMapAsync(Namespace, "gamma");
        var (patchStatus, patched, patchText) = await host.SendAsync(
            HttpMethod.Patch, $"/api/v1/namespaces/{Namespace}/configmaps/alpha", """{"data":{"k":"v2"}}""", "application/merge-patch+json");
        Assert.True(patchStatus == 200, $"PATCH answered {patchStatus}: {patchText}");
        var (deleteStatus, _, deleteText) = await host.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{Namespace}/configmaps/beta");
        Assert.True(deleteStatus == 200, $"DELETE answered {deleteStatus}: {deleteText}");

        var changes = new[] { await NextEventAsync(client), await NextEventAsync(client), await NextEventAsync(client) };
        Assert.Equal(
            [("add", "gamma"), ("update", "alpha"), ("delete", "beta")],
            changes.Select(e => (e["event"]!.GetValue<string>(), e["name"]!.GetValue<string>())));
        Assert.Equal(Rv(gamma), changes[0]["resourceVersion"]!.GetValue<string>());
        Assert.Equal(Rv(patched!), changes[1]["resourceVersion"]!.GetValue<string>());

        var revisions = initial.Concat(changes).Select(e => Rv(e["resourceVersion"]!.GetValue<string>())).ToList();
        Assert.Equal(revisions.Order(), revisions);
        Assert.Equal(revisions.Count, revisions.Distinct().Count());

        var exitCode = await client.WaitForExitAsync();
        Assert.True(exitCode == 0, $"the informer script exited with {exitCode}.\n{client.Report()}");
    }
}
