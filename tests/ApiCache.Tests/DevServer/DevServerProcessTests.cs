using System.Net;
using System.Text.Json.Nodes;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer;

/// <summary>The dev API server program as a real process, over memory and over a real etcd.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class DevServerProcessTests(EtcdFixture etcd)
{
    [Fact]
    public async Task Start_InMemoryWithSeed_ServesTheSeededCluster()
    {
        await using var server = await SidecarProcess.StartDevServerAsync(
            ["--urls", "http://127.0.0.1:0", "--DevServer:Seed:Nodes=4", "--DevServer:Seed:Pods=40", "--DevServer:Seed:Namespaces=2"]);
        using var client = new HttpClient { BaseAddress = server.Address };

        var pods = JsonNode.Parse(await client.GetStringAsync("/api/v1/pods"))!;
        var nodes = JsonNode.Parse(await client.GetStringAsync("/api/v1/nodes"))!;
        using var ready = await client.GetAsync("/readyz");

        Assert.Equal(40, pods["items"]!.AsArray().Count);
        Assert.Equal(4, nodes["items"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Start_OnEtcd_KeepsObjectsAcrossRestarts()
    {
        var prefix = EtcdFixture.NewKeyPrefix();
        string[] args = ["--urls", "http://127.0.0.1:0", $"--DevServer:EtcdEndpoint={etcd.Endpoint}", $"--DevServer:EtcdKeyPrefix={prefix}"];
        string uid;
        await using (var first = await SidecarProcess.StartDevServerAsync(args))
        {
            using var client = new HttpClient { BaseAddress = first.Address };
            using var content = new StringContent("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"kept"},"data":{"a":"b"}}""", System.Text.Encoding.UTF8, "application/json");
            using var created = await client.PostAsync("/api/v1/namespaces/default/configmaps", content);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            uid = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["metadata"]!["uid"]!.GetValue<string>();
        }

        await using var second = await SidecarProcess.StartDevServerAsync(args);
        using var again = new HttpClient { BaseAddress = second.Address };
        var kept = JsonNode.Parse(await again.GetStringAsync("/api/v1/namespaces/default/configmaps/kept"))!;

        Assert.Equal(uid, kept["metadata"]!["uid"]!.GetValue<string>());
    }
}
