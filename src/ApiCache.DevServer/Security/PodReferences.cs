using System.Text.Json.Nodes;

namespace ApiCache.DevServer.Security;

/// <summary>
/// The names of the objects a pod refers to, as the Node authorizer's graph records them: secrets
/// (image pull secrets, env, envFrom, secret/projected volumes and the <c>secretRef</c> of other
/// volume sources, CSI publish secrets), configmaps (env, envFrom, configMap/projected volumes),
/// claims (persistentVolumeClaim volumes, generic ephemeral volumes), its service account and its
/// resource claims.
/// </summary>
internal static class PodReferences
{
    private static readonly string[] ContainerLists = ["containers", "initContainers", "ephemeralContainers"];

    /// <summary>The names of <paramref name="vertex"/> objects <paramref name="pod"/> refers to.</summary>
    public static HashSet<string> Names(JsonObject pod, Vertex vertex)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var spec = pod["spec"] as JsonObject ?? [];
        switch (vertex)
        {
            case Vertex.Secret:
                AddAll(names, spec["imagePullSecrets"], "name");
                AddFromContainers(names, spec, "secretRef", "secretKeyRef");
                foreach (var volume in Items(spec["volumes"]))
                {
                    Add(names, Text(volume, "secret", "secretName"));
                    AddProjected(names, volume, "secret");
                    Add(names, Text(volume, "csi", "nodePublishSecretRef", "name"));
                    foreach (var (_, source) in volume)
                    {
                        Add(names, Text(source, "secretRef", "name"));
                    }
                }

                break;
            case Vertex.ConfigMap:
                AddFromContainers(names, spec, "configMapRef", "configMapKeyRef");
                foreach (var volume in Items(spec["volumes"]))
                {
                    Add(names, Text(volume, "configMap", "name"));
                    AddProjected(names, volume, "configMap");
                }

                break;
            case Vertex.PersistentVolumeClaim:
                foreach (var volume in Items(spec["volumes"]))
                {
                    Add(names, Text(volume, "persistentVolumeClaim", "claimName"));
                    if (volume["ephemeral"] is JsonObject && Text(volume, "name") is { } volumeName && Text(pod, "metadata", "name") is { } podName)
                    {
                        names.Add(podName + "-" + volumeName);
                    }
                }

                break;
            case Vertex.ServiceAccount:
                Add(names, Text(spec, "serviceAccountName"));
                break;
            case Vertex.ResourceClaim:
                AddAll(names, spec["resourceClaims"], "resourceClaimName");
                AddAll(names, (pod["status"] as JsonObject)?["resourceClaimStatuses"], "resourceClaimName");
                break;
        }

        return names;
    }

    private static void AddFromContainers(HashSet<string> names, JsonObject spec, string envFromRef, string envKeyRef)
    {
        foreach (var list in ContainerLists)
        {
            foreach (var container in Items(spec[list]))
            {
                foreach (var source in Items(container["envFrom"]))
                {
                    Add(names, Text(source, envFromRef, "name"));
                }

                foreach (var variable in Items(container["env"]))
                {
                    Add(names, Text(variable, "valueFrom", envKeyRef, "name"));
                }
            }
        }
    }

    private static void AddProjected(HashSet<string> names, JsonObject volume, string kind)
    {
        foreach (var source in Items((volume["projected"] as JsonObject)?["sources"]))
        {
            Add(names, Text(source, kind, "name"));
        }
    }

    private static void AddAll(HashSet<string> names, JsonNode? list, string field)
    {
        foreach (var item in Items(list))
        {
            Add(names, Text(item, field));
        }
    }

    private static IEnumerable<JsonObject> Items(JsonNode? list) => (list as JsonArray)?.OfType<JsonObject>() ?? [];

    private static void Add(HashSet<string> names, string? name)
    {
        if (!string.IsNullOrEmpty(name))
        {
            names.Add(name);
        }
    }

    /// <summary>The string at <paramref name="path"/> under <paramref name="node"/>, or null.</summary>
    private static string? Text(JsonNode? node, params string[] path)
    {
        foreach (var step in path)
        {
            node = (node as JsonObject)?[step];
        }

        return node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
    }
}
