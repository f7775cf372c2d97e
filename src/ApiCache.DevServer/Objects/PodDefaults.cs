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

    /// <summary>Fills in the defaults of <paramref name="pod"/>'s spec and containers.</summary>
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
            }
        }

        SetIfMissing(container, "resources", new JsonObject());
        SetIfMissing(container, "terminationMessagePath", "/dev/termination-log");
        SetIfMissing(container, "terminationMessagePolicy", "File");
        var image = container["image"]?.GetValue<string>() ?? "";
        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        var latest = !lastSegment.Contains(':', StringComparison.Ordinal) || lastSegment.EndsWith(":latest", StringComparison.Ordinal);
        SetIfMissing(container, "imagePullPolicy", latest && !image.Contains('@', StringComparison.Ordinal) ? "Always" : "IfNotPresent");
        Reorder(container, ContainerOrder);
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
