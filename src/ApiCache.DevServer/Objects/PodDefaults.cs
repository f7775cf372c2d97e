using System.Text.Json.Nodes;

namespace ApiCache.DevServer.Objects;

/// <summary>
/// The defaults the apiserver fills into a pod (API defaulting plus the DefaultTolerationSeconds
/// admission plugin), written in Go's field order so a pod read back has the shape a real
/// cluster returns.
/// </summary>
internal static class PodDefaults
{
    /// <summary>PodSpec fields in Go struct order.</summary>
    private static readonly string[] SpecOrder =
    [
        "volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy", "terminationGracePeriodSeconds",
        "activeDeadlineSeconds", "dnsPolicy", "nodeSelector", "serviceAccountName", "serviceAccount", "automountServiceAccountToken",
        "nodeName", "hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace", "securityContext", "imagePullSecrets", "hostname",
        "subdomain", "affinity", "schedulerName", "tolerations", "hostAliases", "priorityClassName", "priority", "dnsConfig",
        "readinessGates", "runtimeClassName", "enableServiceLinks", "preemptionPolicy", "overhead", "topologySpreadConstraints",
        "setHostnameAsFQDN", "os", "hostUsers", "schedulingGates", "resourceClaims", "resources",
    ];

    /// <summary>Container fields in Go struct order.</summary>
    private static readonly string[] ContainerOrder =
    [
        "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources", "resizePolicy", "restartPolicy",
        "volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath",
        "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty",
    ];

    /// <summary>Go struct field orders of the nested pod types, by type.</summary>
    private static readonly Dictionary<string, string[]> StructOrder = new(StringComparer.Ordinal)
    {
        ["ConfigMapVolumeSource"] = ["name", "items", "defaultMode", "optional"],
        ["SecretVolumeSource"] = ["secretName", "items", "defaultMode", "optional"],
        ["DownwardAPIVolumeSource"] = ["items", "defaultMode"],
        ["ProjectedVolumeSource"] = ["sources", "defaultMode"],
        ["ServiceAccountTokenProjection"] = ["audience", "expirationSeconds", "path"],
        ["ConfigMapProjection"] = ["name", "items", "optional"],
        ["KeyToPath"] = ["key", "path", "mode"],
        ["DownwardAPIVolumeFile"] = ["path", "fieldRef", "resourceFieldRef", "mode"],
        ["ObjectFieldSelector"] = ["apiVersion", "fieldPath"],
        ["ContainerPort"] = ["name", "hostPort", "containerPort", "protocol", "hostIP"],
        ["EnvVar"] = ["name", "value", "valueFrom"],
        ["EnvVarSource"] = ["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef"],
        ["ResourceRequirements"] = ["limits", "requests", "claims"],
        ["VolumeMount"] = ["name", "readOnly", "recursiveReadOnly", "mountPath", "subPath", "mountPropagation", "subPathExpr"],
        ["Probe"] = ["exec", "httpGet", "tcpSocket", "grpc", "initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold", "terminationGracePeriodSeconds"],
        ["HTTPGetAction"] = ["path", "port", "host", "scheme", "httpHeaders"],
        ["Toleration"] = ["key", "operator", "value", "effect", "tolerationSeconds"],
    };

    /// <summary>Fills in the defaults of <paramref name="pod"/>'s spec, containers and volumes, in Go field order.</summary>
    public static void Apply(JsonObject pod)
    {
        if (pod["spec"] is not JsonObject spec)
        {
            return;
        }

        foreach (var list in (ReadOnlySpan<string>)["initContainers", "containers"])
        {
            if (spec[list] is JsonArray containers)
            {
                foreach (var container in containers.OfType<JsonObject>())
                {
                    DefaultContainer(container);
                }
            }
        }

        if (spec["volumes"] is JsonArray volumes)
        {
            foreach (var volume in volumes.OfType<JsonObject>())
            {
                DefaultVolume(volume);
            }
        }

        SetIfMissing(spec, "restartPolicy", "Always");
        SetIfMissing(spec, "terminationGracePeriodSeconds", 30);
        SetIfMissing(spec, "dnsPolicy", "ClusterFirst");
        SetIfMissing(spec, "serviceAccountName", "default");
        SetIfMissing(spec, "serviceAccount", spec["serviceAccountName"]!.DeepClone());
        SetIfMissing(spec, "securityContext", new JsonObject());
        SetIfMissing(spec, "schedulerName", "default-scheduler");
        var tolerations = spec["tolerations"] as JsonArray ?? [];
        foreach (var key in (ReadOnlySpan<string>)["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"])
        {
            if (!tolerations.OfType<JsonObject>().Any(t => t["key"]?.GetValue<string>() == key))
            {
                tolerations.Add(new JsonObject { ["key"] = key, ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = 300 });
            }
        }

        foreach (var toleration in tolerations.OfType<JsonObject>())
        {
            Reorder(toleration, StructOrder["Toleration"]);
        }

        spec["tolerations"] = tolerations;
        SetIfMissing(spec, "priority", 0);
        SetIfMissing(spec, "enableServiceLinks", true);
        SetIfMissing(spec, "preemptionPolicy", "PreemptLowerPriority");
        Reorder(spec, SpecOrder);
    }

    /// <summary>The pod's QoS class from its containers' requests and limits.</summary>
    public static string QosClass(JsonObject pod)
    {
        var containers = (pod["spec"]?["containers"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var any = false;
        var guaranteed = containers.Count > 0;
        foreach (var container in containers)
        {
            var requests = container["resources"]?["requests"] as JsonObject;
            var limits = container["resources"]?["limits"] as JsonObject;
            any |= requests is { Count: > 0 } || limits is { Count: > 0 };
            foreach (var resource in (ReadOnlySpan<string>)["cpu", "memory"])
            {
                var limit = limits?[resource]?.ToJsonString();
                var request = requests?[resource]?.ToJsonString() ?? limit;
                guaranteed &= limit is not null && request == limit;
            }
        }

        return guaranteed ? "Guaranteed" : any ? "Burstable" : "BestEffort";
    }

    private static void DefaultContainer(JsonObject container)
    {
        if (container["ports"] is JsonArray ports)
        {
            foreach (var port in ports.OfType<JsonObject>())
            {
                SetIfMissing(port, "protocol", "TCP");
                Reorder(port, StructOrder["ContainerPort"]);
            }
        }

        if (container["env"] is JsonArray env)
        {
            foreach (var variable in env.OfType<JsonObject>())
            {
                if (variable["valueFrom"] is JsonObject source)
                {
                    DefaultFieldRef(source);
                    Reorder(source, StructOrder["EnvVarSource"]);
                }

                Reorder(variable, StructOrder["EnvVar"]);
            }
        }

        if (container["volumeMounts"] is JsonArray mounts)
        {
            foreach (var mount in mounts.OfType<JsonObject>())
            {
                Reorder(mount, StructOrder["VolumeMount"]);
            }
        }

        foreach (var probeName in (ReadOnlySpan<string>)["livenessProbe", "readinessProbe", "startupProbe"])
        {
            if (container[probeName] is JsonObject probe)
            {
                DefaultProbe(probe);
            }
        }

        SetIfMissing(container, "resources", new JsonObject());
        if (container["resources"] is JsonObject resources)
        {
            foreach (var map in (ReadOnlySpan<string>)["limits", "requests"])
            {
                if (resources[map] is JsonObject quantities)
                {
                    SortKeys(quantities);
                }
            }

            Reorder(resources, StructOrder["ResourceRequirements"]);
        }

        SetIfMissing(container, "terminationMessagePath", "/dev/termination-log");
        SetIfMissing(container, "terminationMessagePolicy", "File");
        var image = container["image"]?.GetValue<string>() ?? "";
        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        var latest = !lastSegment.Contains(':', StringComparison.Ordinal) || lastSegment.EndsWith(":latest", StringComparison.Ordinal);
        SetIfMissing(container, "imagePullPolicy", latest && !image.Contains('@', StringComparison.Ordinal) ? "Always" : "IfNotPresent");
        Reorder(container, ContainerOrder);
    }

    /// <summary>Volume source defaults (defaultMode 0644 of configMap, secret, downwardAPI and projected volumes, a projected token's expiration, fieldRef apiVersion) and Go field order.</summary>
    private static void DefaultVolume(JsonObject volume)
    {
        foreach (var (source, type) in (ReadOnlySpan<(string, string)>)[("configMap", "ConfigMapVolumeSource"), ("secret", "SecretVolumeSource"), ("downwardAPI", "DownwardAPIVolumeSource"), ("projected", "ProjectedVolumeSource")])
        {
            if (volume[source] is not JsonObject obj)
            {
                continue;
            }

            SetIfMissing(obj, "defaultMode", 420);
            DefaultItems(obj);
            foreach (var projection in (obj["sources"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (projection["serviceAccountToken"] is JsonObject token)
                {
                    SetIfMissing(token, "expirationSeconds", 3600);
                    Reorder(token, StructOrder["ServiceAccountTokenProjection"]);
                }

                foreach (var (name, projectionType) in (ReadOnlySpan<(string, string)>)[("configMap", "ConfigMapProjection"), ("secret", "ConfigMapProjection"), ("downwardAPI", "DownwardAPIVolumeSource")])
                {
                    if (projection[name] is JsonObject projected)
                    {
                        DefaultItems(projected);
                        Reorder(projected, StructOrder[projectionType]);
                    }
                }
            }

            Reorder(obj, StructOrder[type]);
        }

        Reorder(volume, ["name"]);
    }

    /// <summary>Orders KeyToPath / DownwardAPIVolumeFile items and defaults their fieldRef.</summary>
    private static void DefaultItems(JsonObject source)
    {
        foreach (var item in (source["items"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            DefaultFieldRef(item);
            Reorder(item, StructOrder[item["key"] is null ? "DownwardAPIVolumeFile" : "KeyToPath"]);
        }
    }

    /// <summary>An ObjectFieldSelector's apiVersion defaults to v1.</summary>
    private static void DefaultFieldRef(JsonObject holder)
    {
        if (holder["fieldRef"] is JsonObject fieldRef)
        {
            SetIfMissing(fieldRef, "apiVersion", "v1");
            Reorder(fieldRef, StructOrder["ObjectFieldSelector"]);
        }
    }

    /// <summary>Probe defaults (timeout 1, period 10, success 1, failure 3; httpGet path "/" and scheme HTTP) and Go field order.</summary>
    private static void DefaultProbe(JsonObject probe)
    {
        if (probe["httpGet"] is JsonObject httpGet)
        {
            if (string.IsNullOrEmpty(httpGet["path"]?.GetValue<string>()))
            {
                httpGet["path"] = "/";
            }

            SetIfMissing(httpGet, "scheme", "HTTP");
            Reorder(httpGet, StructOrder["HTTPGetAction"]);
        }

        SetIfMissing(probe, "timeoutSeconds", 1);
        SetIfMissing(probe, "periodSeconds", 10);
        SetIfMissing(probe, "successThreshold", 1);
        SetIfMissing(probe, "failureThreshold", 3);
        Reorder(probe, StructOrder["Probe"]);
    }

    /// <summary>Sorts a map's keys, as Go writes map[string]T.</summary>
    private static void SortKeys(JsonObject map)
    {
        var members = map.OrderBy(m => m.Key, StringComparer.Ordinal).ToList();
        map.Clear();
        foreach (var (key, value) in members)
        {
            map[key] = value;
        }
    }

    private static void SetIfMissing(JsonObject obj, string name, JsonNode? value)
    {
        if (obj[name] is null)
        {
            obj[name] = value;
        }
    }

    /// <summary>Puts known fields in <paramref name="order"/>, unknown ones after them as they came.</summary>
    private static void Reorder(JsonObject obj, string[] order)
    {
        var members = obj.ToList();
        obj.Clear();
        foreach (var (key, value) in members.OrderBy(m => Array.IndexOf(order, m.Key) is var i and >= 0 ? i : int.MaxValue))
        {
            obj[key] = value;
        }
    }
}
