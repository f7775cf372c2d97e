using System.Globalization;
using System.Text.Json.Nodes;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Serving.Differential;

/// <summary>
/// Mutates the upstream cluster between comparisons, as controllers and kubelets would: creates
/// (pods on random nodes, some with hostNetwork; configmaps; widgets; nodes; namespaces), label flips
/// on every resource (app, tier, release), pods moving between nodes or becoming unscheduled, phase
/// changes, and deletes. Choices come from the run's seeded <see cref="Random"/>. The objects the
/// matrix reads by name (<see cref="DifferentialResource.KeptName"/>) and the namespaces the matrix
/// relies on are never deleted.
/// </summary>
internal sealed class ClusterWriter(DevServerHost upstream, Random random)
{
    private const string Merge = "application/merge-patch+json";

    private static readonly string[] NodeNames = ["node-1", "node-2", "node-3"];
    private static readonly string[] Phases = ["Pending", "Running", "Succeeded", "Failed"];
    private static readonly string[] WriterNamespaces = ["team-a", "team-b"];

    private readonly Dictionary<string, List<(string Namespace, string Name)>> _objects = new(StringComparer.Ordinal);
    private int _created;

    /// <summary>Writes done so far.</summary>
    public int Writes { get; private set; }

    /// <summary>Learns which objects exist (one LIST per resource).</summary>
    public async Task LoadAsync()
    {
        foreach (var resource in DifferentialResource.All)
        {
            var (status, body, text) = await upstream.GetAsync(resource.CollectionPath(null));
            Assert.True(status == 200, $"LIST {resource.Name} answered {status}: {text}");
            _objects[resource.Name] = [.. body!["items"]!.AsArray().Select(static item => (
                item!["metadata"]!["namespace"]?.GetValue<string>() ?? "",
                item["metadata"]!["name"]!.GetValue<string>()))
                .Where(static o => o.Item1 != DifferentialMatrix.BulkNamespace)];
        }
    }

    /// <summary>One random write; returns what it did.</summary>
    public async Task<string> WriteAsync()
    {
        Writes++;
        var roll = random.Next(100);
        return roll switch
        {
            < 14 => await CreatePodAsync(),
            < 20 => await CreateConfigMapAsync(),
            < 25 => await CreateWidgetAsync(),
            < 28 => await CreateNodeAsync(),
            < 30 => await CreateNamespaceAsync(),
            < 55 => await FlipLabelsAsync(),
            < 68 => await MovePodAsync(),
            < 78 => await ChangePhaseAsync(),
            _ => await DeleteAsync(),
        };
    }

    private async Task<string> CreatePodAsync()
    {
        var ns = Pick(WriterNamespaces);
        var name = NewName("pod");
        var spec = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "nginx:1.27.3" }) };
        if (random.Next(4) != 0)
        {
            spec["nodeName"] = Pick(NodeNames);
        }

        if (random.Next(4) == 0)
        {
            spec["hostNetwork"] = true;
        }

        await CreateAsync("pods", ns, name, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = RandomLabels() },
            ["spec"] = spec,
        });
        return $"create pod {ns}/{name}";
    }

    private async Task<string> CreateConfigMapAsync()
    {
        var ns = Pick(WriterNamespaces);
        var name = NewName("cm");
        await CreateAsync("configmaps", ns, name, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = RandomLabels() },
            ["data"] = new JsonObject { ["n"] = _created.ToString(CultureInfo.InvariantCulture), ["text"] = "<a & b>\n\"quoted\" \u00e9" },
        });
        return $"create configmap {ns}/{name}";
    }

    private async Task<string> CreateWidgetAsync()
    {
        var ns = Pick(WriterNamespaces);
        var name = NewName("wd");
        await CreateAsync("widgets", ns, name, new JsonObject
        {
            ["apiVersion"] = "example.com/v1",
            ["kind"] = "Widget",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = RandomLabels() },
            ["spec"] = new JsonObject { ["size"] = random.Next(1, 101), ["color"] = Pick(["red", "blue"]) },
        });
        return $"create widget {ns}/{name}";
    }

    private async Task<string> CreateNodeAsync()
    {
        var name = NewName("node");
        await CreateAsync("nodes", "", name, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = RandomLabels() },
        });
        return $"create node {name}";
    }

    private async Task<string> CreateNamespaceAsync()
    {
        var name = NewName("ns");
        await CreateAsync("namespaces", "", name, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = RandomLabels() },
        });
        return $"create namespace {name}";
    }

    private async Task<string> FlipLabelsAsync()
    {
        var resource = Pick(DifferentialResource.All);
        var (ns, name) = Pick(_objects[resource.Name]);
        var labels = new JsonObject();
        foreach (var (key, values) in LabelChoices)
        {
            if (random.Next(2) == 0)
            {
                var value = Pick(values);
                labels[key] = value is null ? null : JsonValue.Create(value);
            }
        }

        await PatchAsync(resource.ObjectPath(ns, name), new JsonObject { ["metadata"] = new JsonObject { ["labels"] = labels } });
        return $"labels of {resource.Name} {ns}/{name}: {labels.ToJsonString()}";
    }

    private async Task<string> MovePodAsync()
    {
        var (ns, name) = Pick(_objects["pods"]);
        var node = random.Next(5) == 0 ? null : Pick(NodeNames);
        await PatchAsync($"/api/v1/namespaces/{ns}/pods/{name}", new JsonObject { ["spec"] = new JsonObject { ["nodeName"] = node } });
        return $"pod {ns}/{name} to node {node ?? "(none)"}";
    }

    private async Task<string> ChangePhaseAsync()
    {
        var (ns, name) = Pick(_objects["pods"]);
        var phase = Pick(Phases);
        await PatchAsync($"/api/v1/namespaces/{ns}/pods/{name}/status", new JsonObject { ["status"] = new JsonObject { ["phase"] = phase } });
        return $"pod {ns}/{name} phase {phase}";
    }

    private async Task<string> DeleteAsync()
    {
        var resource = Pick(DifferentialResource.All.Where(r => r.Name != "namespaces").ToList());
        var candidates = _objects[resource.Name].Where(o => o.Name != resource.KeptName || o.Namespace != resource.KeptNamespace).ToList();
        if (candidates.Count == 0)
        {
            return await CreatePodAsync();
        }

        var (ns, name) = Pick(candidates);
        var path = resource.ObjectPath(ns, name);
        var (status, _, text) = await upstream.SendAsync(HttpMethod.Delete, path);
        Assert.True(status == 200, $"DELETE {path} answered {status}: {text}");
        _objects[resource.Name].Remove((ns, name));
        return $"delete {resource.Name} {ns}/{name}";
    }

    private static readonly (string Key, string?[] Values)[] LabelChoices =
    [
        ("app", ["web", "db", null]),
        ("tier", ["frontend", "backend", null]),
        ("release", ["canary", "stable", null]),
    ];

    private JsonObject RandomLabels()
    {
        var labels = new JsonObject();
        foreach (var (key, values) in LabelChoices)
        {
            if (Pick(values) is string value)
            {
                labels[key] = value;
            }
        }

        return labels;
    }

    private async Task CreateAsync(string resourceName, string ns, string name, JsonObject obj)
    {
        var resource = DifferentialResource.All.Single(r => r.Name == resourceName);
        await upstream.CreateAsync(resource.CollectionPath(resource.Namespaced ? ns : null), obj.ToJsonString());
        _objects[resourceName].Add((ns, name));
    }

    private async Task PatchAsync(string path, JsonObject patch)
    {
        var (status, _, text) = await upstream.SendAsync(HttpMethod.Patch, path, patch.ToJsonString(), Merge);
        Assert.True(status == 200, $"PATCH {path} answered {status}: {text}");
    }

    private string NewName(string kind) => $"dyn-{kind}-{++_created:D3}";

    private T Pick<T>(IReadOnlyList<T> values) => values[random.Next(values.Count)];
}
