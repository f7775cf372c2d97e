using System.Text.Json.Nodes;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// A watcher's view: namespace scope, label and field selectors, and the same written as a plain
/// predicate over a pod's JSON (the test's own oracle, independent of the selector code under test;
/// absent labels and fields behave as the apiserver's: a missing field is "", "!=" and "notin"
/// match objects without the label).
/// </summary>
internal sealed record SelectorCase(string? Namespace, string? LabelSelector, string? FieldSelector, Func<JsonObject, bool> Predicate)
{
    /// <summary>The views the runs draw watchers from (the pods of <see cref="ChurnWriter"/>).</summary>
    public static readonly SelectorCase[] All =
    [
        new(null, null, null, _ => true),
        new("ns-0", null, null, _ => true),
        new("ns-1", null, null, _ => true),
        new(null, "app=web", null, p => Label(p, "app") == "web"),
        new(null, "app in (web,db)", null, p => Label(p, "app") is "web" or "db"),
        new(null, "tier notin (front)", null, p => Label(p, "tier") != "front"),
        new(null, "tier", null, p => Label(p, "tier") is not null),
        new(null, "!tier", null, p => Label(p, "tier") is null),
        new("ns-2", "app!=db,tier", null, p => Label(p, "app") != "db" && Label(p, "tier") is not null),
        new(null, null, "spec.nodeName=node-0", p => NodeName(p) == "node-0"),
        new(null, null, "spec.nodeName=node-1", p => NodeName(p) == "node-1"),
        new(null, null, "spec.nodeName=", p => NodeName(p).Length == 0),
        new(null, null, "status.phase=Running", p => Phase(p) == "Running"),
        new(null, null, "status.phase!=Pending", p => Phase(p) != "Pending"),
        new("ns-1", null, "metadata.name=p-3", p => (string?)p["metadata"]!["name"] == "p-3"),
        new("ns-0", "app=db", "spec.nodeName!=node-2", p => Label(p, "app") == "db" && NodeName(p) != "node-2"),
        new(null, "app", "spec.nodeName=node-2,status.phase=Running", p => Label(p, "app") is not null && NodeName(p) == "node-2" && Phase(p) == "Running"),
    ];

    private static string? Label(JsonObject pod, string key) => (string?)pod["metadata"]!["labels"]?[key];

    private static string NodeName(JsonObject pod) => (string?)pod["spec"]?["nodeName"] ?? "";

    private static string Phase(JsonObject pod) => (string?)pod["status"]?["phase"] ?? "";
}
