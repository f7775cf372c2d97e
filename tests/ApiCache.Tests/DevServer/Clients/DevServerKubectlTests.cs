using System.Text.Json.Nodes;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Clients;

/// <summary>
/// Unmodified kubectl 1.27 and 1.33 against the dev API server: the everyday commands a user
/// types must work and change what the server stores.
/// </summary>
public sealed class DevServerKubectlTests : IAsyncLifetime, IDisposable
{
    private const string Manifests = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-1
          labels:
            app: web
        spec:
          nodeName: node-1
          containers:
          - name: web
            image: nginx:1.27.3
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: db-0
          labels:
            app: db
        spec:
          nodeName: node-2
          containers:
          - name: db
            image: postgres:16.4
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: app-config
        data:
          mode: blue
        ---
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: gizmo
        spec:
          size: 3
        """;

    private readonly TempDirectory _home = new();
    private DevServerHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await DevServerHost.StartAsync();
        await _host.CreateNamespaceAsync("team-a");
    }

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    public void Dispose() => _home.Dispose();

    private KubectlRunner Kubectl(string version) =>
        new(version, KubectlRunner.WriteKubeconfig(_home.Path, _host.Address, @namespace: "team-a"), _home.Path);

    [Theory]
    [InlineData("1.27")]
    [InlineData("1.33")]
    public async Task Kubectl_EverydayCommands_WorkUnmodified(string version)
    {
        var kubectl = Kubectl(version);

        var created = await kubectl.RunAsync(Manifests, ["create", "-f", "-"]);
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("pod/web-1 created", created.Stdout, StringComparison.Ordinal);
        Assert.Contains("widget.example.com/gizmo created", created.Stdout, StringComparison.Ordinal);

        var json = await kubectl.RunAsync("get", "pods", "-o", "json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var list = JsonNode.Parse(json.Stdout)!;
        Assert.Equal(["db-0", "web-1"], list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));

        var table = await kubectl.RunAsync("get", "pods");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("web-1", table.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("NAME", table.Stdout, StringComparison.Ordinal);

        var byLabel = await kubectl.RunAsync("get", "pods", "-l", "app=web", "-o", "name");
        Assert.Equal("pod/web-1\n", byLabel.Stdout);

        var byField = await kubectl.RunAsync("get", "pods", "--field-selector", "spec.nodeName=node-2", "-o", "name");
        Assert.Equal("pod/db-0\n", byField.Stdout);

        var labelled = await kubectl.RunAsync("label", "pod", "web-1", "release=canary");
        Assert.True(labelled.ExitCode == 0, labelled.ToString());
        var (_, pod, _) = await _host.GetAsync("/api/v1/namespaces/team-a/pods/web-1");
        Assert.Equal("canary", pod!["metadata"]!["labels"]!["release"]!.GetValue<string>());

        var annotated = await kubectl.RunAsync("annotate", "configmap", "app-config", "owner=team-a");
        Assert.True(annotated.ExitCode == 0, annotated.ToString());

        var patched = await kubectl.RunAsync("patch", "configmap", "app-config", "--type=merge", "-p", """{"data":{"mode":"green"}}""");
        Assert.True(patched.ExitCode == 0, patched.ToString());
        var (_, cm, _) = await _host.GetAsync("/api/v1/namespaces/team-a/configmaps/app-config");
        Assert.Equal("green", cm!["data"]!["mode"]!.GetValue<string>());
        Assert.Equal("team-a", cm["metadata"]!["annotations"]!["owner"]!.GetValue<string>());

        var deleted = await kubectl.RunAsync("delete", "pod", "db-0");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Contains("pod \"db-0\" deleted", deleted.Stdout, StringComparison.Ordinal);
        var (status, _, _) = await _host.GetAsync("/api/v1/namespaces/team-a/pods/db-0");
        Assert.Equal(404, status);
    }

    [Theory]
    [InlineData("1.27")]
    [InlineData("1.33")]
    public async Task KubectlGetWatch_ReceivesAChangeMadeAfterItStarted(string version)
    {
        await _host.CreateConfigMapAsync("team-a", "first");
        var kubectl = Kubectl(version);

        await using var watch = kubectl.Start("get", "configmaps", "-w", "-o", "name");
        await watch.WaitForLineAsync(line => line == "configmap/first");
        await _host.CreateConfigMapAsync("team-a", "second");

        Assert.Equal("configmap/second", await watch.WaitForLineAsync(line => line.StartsWith("configmap/s", StringComparison.Ordinal)));
    }
}
