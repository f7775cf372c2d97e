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

    /// <summary>Applies the update-time rules (defaults for fields an update may have dropped).</summary>
    public static void ApplyOnUpdate(JsonObject updated, JsonObject current, ResourceDefinition resource)
    {
        _ = current;
        if (!resource.Unstructured && resource.Resource == "pods")
        {
            PodDefaults.Apply(updated);
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
