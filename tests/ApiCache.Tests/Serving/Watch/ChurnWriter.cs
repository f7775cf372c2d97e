using System.Globalization;
using System.Text.Json.Nodes;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// The writer of a run: seeded random writes of pods straight to the dev server (creates, label
/// flips, spec.nodeName moves, status.phase changes, deletes) over a small set of keys, so objects
/// move in and out of the watchers' selectors. It keeps every object it got back, for the
/// cross-check of the upstream record.
/// </summary>
internal sealed class ChurnWriter(DevServerHost upstream, Random random)
{
    /// <summary>The namespaces the pods live in (created before the run).</summary>
    public static readonly string[] Namespaces = ["ns-0", "ns-1", "ns-2"];

    private const int NamesPerNamespace = 8;
    private static readonly string?[] Apps = ["web", "db", "cache", null];
    private static readonly string?[] Tiers = ["front", "back", null];
    private static readonly string?[] Nodes = ["node-0", "node-1", "node-2", null];
    private static readonly string[] Phases = ["Pending", "Running", "Succeeded", "Failed"];

    private readonly HashSet<string> _live = new(StringComparer.Ordinal);

    /// <summary>The objects the writes answered (creates and updates), by revision.</summary>
    public List<JsonObject> Written { get; } = [];

    /// <summary>Keys deleted, with the revision of the object the DELETE answered (its last state).</summary>
    public List<(string Key, long LastRevision)> Deleted { get; } = [];

    /// <summary>One seeded write; fails the test if the dev server refuses it.</summary>
    public async Task WriteAsync()
    {
        var ns = Namespaces[random.Next(Namespaces.Length)];
        var name = "p-" + random.Next(NamesPerNamespace).ToString(CultureInfo.InvariantCulture);
        var key = ns + "/" + name;
        var path = $"/api/v1/namespaces/{ns}/pods/{name}";
        if (!_live.Contains(key))
        {
            var labels = Labels(Pick(Apps), Pick(Tiers), removeAbsent: false);
            var spec = new JsonObject();
            if (Pick(Nodes) is string node)
            {
                spec["nodeName"] = node;
            }

            spec["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "nginx:1.27.3" });
            var pod = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels },
                ["spec"] = spec,
            };
            Written.Add((JsonObject)await upstream.CreateAsync($"/api/v1/namespaces/{ns}/pods", pod.ToJsonString()));
            _live.Add(key);
            return;
        }

        var roll = random.Next(100);
        if (roll < 15)
        {
            var (status, body, text) = await upstream.SendAsync(HttpMethod.Delete, path);
            Assert.True(status == 200, $"DELETE {path} answered {status}: {text}");
            Deleted.Add((key, UpstreamRecord.ResourceVersion(body!)));
            _live.Remove(key);
            return;
        }

        JsonObject patch;
        var target = path;
        if (roll < 45)
        {
            patch = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = Labels(Pick(Apps), Pick(Tiers), removeAbsent: true) } };
        }
        else if (roll < 65)
        {
            patch = new JsonObject { ["spec"] = new JsonObject { ["nodeName"] = Pick(Nodes) } };
        }
        else if (roll < 85)
        {
            patch = new JsonObject { ["status"] = new JsonObject { ["phase"] = Phases[random.Next(Phases.Length)] } };
            target = path + "/status";
        }
        else
        {
            patch = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = Labels(Pick(Apps), Pick(Tiers), removeAbsent: true) },
                ["spec"] = new JsonObject { ["nodeName"] = Pick(Nodes) },
            };
        }

        var (patched, json, answer) = await upstream.SendAsync(HttpMethod.Patch, target, patch.ToJsonString(), "application/merge-patch+json");
        Assert.True(patched == 200, $"PATCH {target} {patch.ToJsonString()} answered {patched}: {answer}");
        Written.Add((JsonObject)json!);
    }

    private string? Pick(string?[] values) => values[random.Next(values.Length)];

    /// <summary>Labels app and tier; an absent one is left out, or (in a merge patch) removed with null.</summary>
    private static JsonObject Labels(string? app, string? tier, bool removeAbsent)
    {
        var labels = new JsonObject();
        if (app is not null || removeAbsent)
        {
            labels["app"] = app;
        }

        if (tier is not null || removeAbsent)
        {
            labels["tier"] = tier;
        }

        return labels;
    }
}
