using System.Text.Json.Nodes;
using ApiCache.DevServer.Resources;

namespace ApiCache.DevServer.Objects;

/// <summary>
/// The per-kind defaults and resets the apiserver's strategies apply: a new pod is Pending, a new
/// namespace is Active with the kubernetes finalizer and its name label, a new deployment has an
/// empty status, and custom resources with a status subresource start without status.
/// </summary>
internal static class ResourceDefaults
{
    /// <summary>Applies the create-time rules for <paramref name="resource"/> to <paramref name="obj"/>.</summary>
    public static void ApplyOnCreate(JsonObject obj, ResourceDefinition resource)
    {
        var metadata = (JsonObject)obj["metadata"]!;
        switch (resource.Unstructured ? "" : resource.Resource)
        {
            case "pods":
                PodDefaults.Apply(obj);
                obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = PodDefaults.QosClass(obj) };
                break;
            case "namespaces":
                var labels = metadata["labels"] as JsonObject ?? [];
                labels["kubernetes.io/metadata.name"] = metadata["name"]!.GetValue<string>();
                metadata["labels"] = labels;
                obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
                obj["status"] = new JsonObject { ["phase"] = "Active" };
                break;
            case "nodes":
                ApplyNodeDefaults(obj);
                break;
            case "deployments":
                obj["status"] = new JsonObject();
                break;
            case "" when resource.HasStatus:
                obj.Remove("status");
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// A new node: the TaintNodesByCondition admission plugin's not-ready NoSchedule taint, the
    /// status structs Go always writes (daemonEndpoints, every nodeInfo field), capacity and
    /// allocatable sorted like Go maps, and spec/status in Go field order.
    /// </summary>
    private static void ApplyNodeDefaults(JsonObject node)
    {
        var spec = node["spec"] as JsonObject ?? [];
        var taints = spec["taints"] as JsonArray ?? [];
        if (!taints.OfType<JsonObject>().Any(t => t["key"]?.GetValue<string>() == "node.kubernetes.io/not-ready"))
        {
            taints.Add(new JsonObject { ["key"] = "node.kubernetes.io/not-ready", ["effect"] = "NoSchedule" });
        }

        spec["taints"] = taints;
        node["spec"] = Ordered(spec, ["podCIDR", "podCIDRs", "providerID", "unschedulable", "taints", "configSource", "externalID"]);

        var status = node["status"] as JsonObject ?? [];
        status["daemonEndpoints"] ??= new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = 0 } };
        string[] nodeInfoFields = ["machineID", "systemUUID", "bootID", "kernelVersion", "osImage", "containerRuntimeVersion", "kubeletVersion", "kubeProxyVersion", "operatingSystem", "architecture"];
        var nodeInfo = status["nodeInfo"] as JsonObject ?? [];
        foreach (var field in nodeInfoFields)
        {
            nodeInfo[field] ??= "";
        }

        status["nodeInfo"] = Ordered(nodeInfo, nodeInfoFields);
        foreach (var map in (ReadOnlySpan<string>)["capacity", "allocatable"])
        {
            if (status[map] is JsonObject quantities)
            {
                status[map] = Ordered(quantities, [.. quantities.Select(q => q.Key).Order(StringComparer.Ordinal)]);
            }
        }

        node["status"] = Ordered(status, ["capacity", "allocatable", "phase", "conditions", "addresses", "daemonEndpoints", "nodeInfo", "images", "volumesInUse", "volumesAttached", "config", "runtimeHandlers", "features"]);
    }

    /// <summary>
    /// Puts each condition's fields in Go order and writes the timestamps Go always writes
    /// (metav1.Time without omitempty: <c>null</c> when unset).
    /// </summary>
    private static void NormalizeConditions(JsonObject status, string[] order, string[] alwaysPresent)
    {
        if (status["conditions"] is not JsonArray conditions)
        {
            return;
        }

        for (var i = 0; i < conditions.Count; i++)
        {
            if (conditions[i] is JsonObject condition)
            {
                foreach (var field in alwaysPresent)
                {
                    if (!condition.ContainsKey(field))
                    {
                        condition[field] = null;
                    }
                }

                conditions[i] = Ordered(condition, order);
            }
        }
    }

    /// <summary>A copy of <paramref name="obj"/>'s members with the known ones in <paramref name="order"/>, unknown ones after them.</summary>
    private static JsonObject Ordered(JsonObject obj, string[] order)
    {
        var members = obj.ToList();
        obj.Clear();
        var result = new JsonObject();
        foreach (var (key, value) in members.OrderBy(m => Array.IndexOf(order, m.Key) is var i and >= 0 ? i : int.MaxValue))
        {
            result[key] = value;
        }

        return result;
    }

    /// <summary>PodStatus fields in Go struct order.</summary>
    private static readonly string[] PodStatusOrder =
    [
        "observedGeneration", "phase", "conditions", "message", "reason", "nominatedNodeName", "hostIP", "hostIPs", "podIP", "podIPs",
        "startTime", "initContainerStatuses", "containerStatuses", "qosClass", "ephemeralContainerStatuses", "resize", "resourceClaimStatuses",
    ];

    /// <summary>
    /// Applies the update-time rules (defaults for fields an update may have dropped, and the Go
    /// field order of status, which a status patch would otherwise leave in merge order).
    /// </summary>
    public static void ApplyOnUpdate(JsonObject updated, JsonObject current, ResourceDefinition resource)
    {
        _ = current;
        if (!resource.Unstructured && resource.Resource == "pods")
        {
            PodDefaults.Apply(updated);
            if (updated["status"] is JsonObject status)
            {
                NormalizeConditions(status, ["type", "observedGeneration", "status", "lastProbeTime", "lastTransitionTime", "reason", "message"], ["lastProbeTime", "lastTransitionTime"]);
                updated["status"] = Ordered(status, PodStatusOrder);
            }
        }
        else if (!resource.Unstructured && resource.Resource == "nodes")
        {
            if (updated["status"] is JsonObject status)
            {
                NormalizeConditions(status, ["type", "status", "lastHeartbeatTime", "lastTransitionTime", "reason", "message"], ["lastHeartbeatTime", "lastTransitionTime"]);
            }

            ApplyNodeDefaults(updated);
        }
        else if (!resource.Unstructured && resource.Resource == "namespaces")
        {
            var metadata = (JsonObject)updated["metadata"]!;
            var labels = metadata["labels"] as JsonObject ?? [];
            labels["kubernetes.io/metadata.name"] = metadata["name"]!.GetValue<string>();
            metadata["labels"] = labels;
        }
    }
}
