using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ApiCache.DevServer.Seeding;

/// <summary>
/// Generates the seeded pods: ReplicaSet-owned replicas of the <see cref="AppProfile"/> templates,
/// with the members, member order and defaults the apiserver returns (kind, apiVersion, metadata,
/// spec, status). Most pods are Running on a random node with addresses, conditions and container
/// statuses; <see cref="SeedOptions.PendingPercent"/> are Pending and unscheduled (no nodeName).
/// Pods must be generated in index order (per-node address slots are counted as they go).
/// </summary>
internal sealed class PodGenerator
{
    /// <summary>Distinct 5-character name suffixes.</summary>
    private const ulong SuffixSpace = 27UL * 27 * 27 * 27 * 27;

    /// <summary>Multiplier coprime to <see cref="SuffixSpace"/>: replica r maps to a distinct suffix.</summary>
    private const ulong SuffixStride = 7_368_787;

    private const int MaxPodAgeSeconds = 7 * 24 * 3600;
    private const int MaxWorkloadAgeSeconds = 30 * 24 * 3600;

    private static ReadOnlySpan<byte> ProjectedServiceAccount =>
        """{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}"""u8;

    private static ReadOnlySpan<byte> DefaultTolerations =>
        """[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]"""u8;

    private static ReadOnlySpan<byte> NonRootPodSecurity =>
        """{"runAsUser":1000,"runAsGroup":1000,"runAsNonRoot":true,"fsGroup":1000,"seccompProfile":{"type":"RuntimeDefault"}}"""u8;

    private static ReadOnlySpan<byte> NonRootContainerSecurity =>
        """{"capabilities":{"drop":["ALL"]},"readOnlyRootFilesystem":true,"allowPrivilegeEscalation":false}"""u8;

    private readonly SeedOptions _options;
    private readonly ClusterLayout _layout;
    private readonly SeedJsonWriter _writer;
    private readonly DateTime _now;
    private readonly int[] _podsOnNode;
    private readonly SeedRandom _random = new();
    private readonly SeedRandom _workloadRandom = new();
    private readonly string _unschedulableMessage;

    /// <summary>Creates the generator; <paramref name="now"/> is the seeding time (second precision).</summary>
    public PodGenerator(SeedOptions options, ClusterLayout layout, SeedJsonWriter writer, DateTime now)
    {
        _options = options;
        _layout = layout;
        _writer = writer;
        _now = now;
        _podsOnNode = new int[options.Nodes];
        var nodes = options.Nodes.ToString(CultureInfo.InvariantCulture);
        _unschedulableMessage = options.Nodes == 0
            ? "no nodes available to schedule pods"
            : $"0/{nodes} nodes are available: {nodes} Insufficient cpu. preemption: 0/{nodes} nodes are available: {nodes} No preemption victims found for incoming pod.";
    }

    /// <summary>Generates pod <paramref name="index"/> (call in increasing index order).</summary>
    public GeneratedObject Generate(int index)
    {
        var (namespaceIndex, workload, replica) = _layout.PlacePod(index);
        var ns = _layout.Namespaces[namespaceIndex];
        var (workloadName, profile) = ClusterLayout.Workload(workload);

        // Everything shared by the replicas of one workload comes from the workload's own stream.
        _workloadRandom.Reset(_options.Seed, SeedStream.Workload, namespaceIndex, workload);
        Span<byte> templateHash = stackalloc byte[10];
        _workloadRandom.FillName(templateHash);
        Span<byte> ownerUid = stackalloc byte[36];
        _workloadRandom.FillUid(ownerUid);
        var suffixBase = _workloadRandom.NextUInt64() % SuffixSpace;
        var canary = _workloadRandom.Percent(10);
        var workloadAge = _workloadRandom.Next(MaxWorkloadAgeSeconds);

        Span<byte> suffix = stackalloc byte[5];
        SeedRandom.WriteName((suffixBase + ((ulong)replica * SuffixStride)) % SuffixSpace, suffix);
        var ownerName = string.Concat(workloadName, "-", Encoding.ASCII.GetString(templateHash));
        var generateName = ownerName + "-";
        var name = generateName + Encoding.ASCII.GetString(suffix);

        _random.Reset(_options.Seed, SeedStream.Pod, index);
        var pending = _options.Nodes == 0 || _random.Percent(_options.PendingPercent);
        var node = pending ? -1 : _random.Next(_options.Nodes);
        var created = _now.AddSeconds(-_random.Next(Math.Min(workloadAge, MaxPodAgeSeconds) + 1));
        Span<byte> tokenVolume = stackalloc byte["kube-api-access-".Length + 5];
        "kube-api-access-"u8.CopyTo(tokenVolume);
        _random.FillName(tokenVolume[^5..]);

        var json = _writer.Json;
        _writer.Begin("Pod"u8, "v1"u8, name);
        json.WriteString("generateName"u8, generateName);
        json.WriteString("namespace"u8, ns);
        _writer.WriteUid("uid"u8, _random);
        json.WriteNumber("generation"u8, 1);
        _writer.WriteTime("creationTimestamp"u8, created);
        json.WriteStartObject("labels"u8);
        json.WriteString("app"u8, profile.App);
        json.WriteString("pod-template-hash"u8, templateHash);
        json.WriteString("release"u8, canary ? "canary"u8 : "stable"u8);
        json.WriteString("team"u8, ClusterLayout.TeamOf(namespaceIndex));
        json.WriteString("tier"u8, profile.Tier);
        json.WriteEndObject();
        if (profile.Metrics)
        {
            json.WriteStartObject("annotations"u8);
            json.WriteString("prometheus.io/port"u8, "9090"u8);
            json.WriteString("prometheus.io/scrape"u8, "true"u8);
            json.WriteEndObject();
        }

        json.WriteStartArray("ownerReferences"u8);
        json.WriteStartObject();
        json.WriteString("apiVersion"u8, "apps/v1"u8);
        json.WriteString("kind"u8, "ReplicaSet"u8);
        json.WriteString("name"u8, ownerName);
        json.WriteString("uid"u8, ownerUid);
        json.WriteBoolean("controller"u8, true);
        json.WriteBoolean("blockOwnerDeletion"u8, true);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject(); // metadata

        WriteSpec(json, profile, workloadName, tokenVolume, node);
        if (pending)
        {
            WritePendingStatus(json, profile, created);
        }
        else
        {
            WriteRunningStatus(json, profile, created, node, _podsOnNode[node]++);
        }

        return new GeneratedObject(ns, name, _writer.Finish());
    }

    private void WriteSpec(Utf8JsonWriter json, AppProfile profile, string workloadName, ReadOnlySpan<byte> tokenVolume, int node)
    {
        json.WriteStartObject("spec"u8);
        json.WriteStartArray("volumes"u8);
        if (profile.ConfigMountPath is not null)
        {
            json.WriteStartObject();
            json.WriteString("name"u8, "config"u8);
            json.WriteStartObject("configMap"u8);
            json.WriteString("name"u8, workloadName + "-config");
            json.WriteNumber("defaultMode"u8, 420);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        if (profile.DataMountPath is not null)
        {
            json.WriteStartObject();
            json.WriteString("name"u8, "data"u8);
            json.WriteStartObject("emptyDir"u8);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteStartObject();
        json.WriteString("name"u8, tokenVolume);
        json.WritePropertyName("projected"u8);
        json.WriteRawValue(ProjectedServiceAccount, skipInputValidation: true);
        json.WriteEndObject();
        json.WriteEndArray();

        json.WriteStartArray("containers"u8);
        WriteContainer(json, profile, tokenVolume);
        json.WriteEndArray();

        json.WriteString("restartPolicy"u8, "Always"u8);
        json.WriteNumber("terminationGracePeriodSeconds"u8, 30);
        json.WriteString("dnsPolicy"u8, "ClusterFirst"u8);
        json.WriteString("serviceAccountName"u8, "default"u8);
        json.WriteString("serviceAccount"u8, "default"u8);
        if (node >= 0)
        {
            json.WriteString("nodeName"u8, _layout.Nodes[node]);
        }

        json.WritePropertyName("securityContext"u8);
        json.WriteRawValue(profile.RunAsNonRoot ? NonRootPodSecurity : "{}"u8, skipInputValidation: true);
        json.WriteString("schedulerName"u8, "default-scheduler"u8);
        json.WritePropertyName("tolerations"u8);
        json.WriteRawValue(DefaultTolerations, skipInputValidation: true);
        json.WriteNumber("priority"u8, 0);
        json.WriteBoolean("enableServiceLinks"u8, true);
        json.WriteString("preemptionPolicy"u8, "PreemptLowerPriority"u8);
        json.WriteEndObject();
    }

    private static void WriteContainer(Utf8JsonWriter json, AppProfile profile, ReadOnlySpan<byte> tokenVolume)
    {
        json.WriteStartObject();
        json.WriteString("name"u8, profile.Container);
        json.WriteString("image"u8, profile.Image);
        if (profile.Ports.Count > 0)
        {
            json.WriteStartArray("ports"u8);
            foreach (var (portName, port) in profile.Ports)
            {
                json.WriteStartObject();
                json.WriteString("name"u8, portName);
                json.WriteNumber("containerPort"u8, port);
                json.WriteString("protocol"u8, "TCP"u8);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteStartArray("env"u8);
        foreach (var (envName, value) in profile.Env)
        {
            json.WriteStartObject();
            json.WriteString("name"u8, envName);
            json.WriteString("value"u8, value);
            json.WriteEndObject();
        }

        foreach (var (envName, fieldPath) in profile.FieldEnv)
        {
            WriteFieldRefEnv(json, envName, fieldPath);
        }

        json.WriteEndArray();

        json.WriteStartObject("resources"u8);
        json.WriteStartObject("limits"u8);
        if (profile.CpuLimit is not null)
        {
            json.WriteString("cpu"u8, profile.CpuLimit);
        }

        json.WriteString("memory"u8, profile.MemoryLimit);
        json.WriteEndObject();
        json.WriteStartObject("requests"u8);
        json.WriteString("cpu"u8, profile.CpuRequest);
        json.WriteString("memory"u8, profile.MemoryRequest);
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartArray("volumeMounts"u8);
        if (profile.ConfigMountPath is not null)
        {
            WriteMount(json, "config"u8, readOnly: true, profile.ConfigMountPath);
        }

        if (profile.DataMountPath is not null)
        {
            WriteMount(json, "data"u8, readOnly: false, profile.DataMountPath);
        }

        WriteMount(json, tokenVolume, readOnly: true, "/var/run/secrets/kubernetes.io/serviceaccount");
        json.WriteEndArray();

        if (profile.ProbePort is not null)
        {
            if (profile.Liveness)
            {
                WriteProbe(json, "livenessProbe"u8, profile, initialDelaySeconds: 10);
            }

            WriteProbe(json, "readinessProbe"u8, profile, initialDelaySeconds: 0);
        }

        json.WriteString("terminationMessagePath"u8, "/dev/termination-log"u8);
        json.WriteString("terminationMessagePolicy"u8, "File"u8);
        json.WriteString("imagePullPolicy"u8, "IfNotPresent"u8);
        if (profile.HardenedContainer)
        {
            json.WritePropertyName("securityContext"u8);
            json.WriteRawValue(NonRootContainerSecurity, skipInputValidation: true);
        }

        json.WriteEndObject();
    }

    private static void WriteFieldRefEnv(Utf8JsonWriter json, string name, string fieldPath)
    {
        json.WriteStartObject();
        json.WriteString("name"u8, name);
        json.WriteStartObject("valueFrom"u8);
        json.WriteStartObject("fieldRef"u8);
        json.WriteString("apiVersion"u8, "v1"u8);
        json.WriteString("fieldPath"u8, fieldPath);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteMount(Utf8JsonWriter json, ReadOnlySpan<byte> name, bool readOnly, string mountPath)
    {
        json.WriteStartObject();
        json.WriteString("name"u8, name);
        if (readOnly)
        {
            json.WriteBoolean("readOnly"u8, true);
        }

        json.WriteString("mountPath"u8, mountPath);
        json.WriteEndObject();
    }

    private static void WriteProbe(Utf8JsonWriter json, ReadOnlySpan<byte> property, AppProfile profile, int initialDelaySeconds)
    {
        json.WriteStartObject(property);
        if (profile.ProbePath is null)
        {
            json.WriteStartObject("tcpSocket"u8);
            json.WriteString("port"u8, profile.ProbePort);
            json.WriteEndObject();
        }
        else
        {
            json.WriteStartObject("httpGet"u8);
            json.WriteString("path"u8, profile.ProbePath);
            json.WriteString("port"u8, profile.ProbePort);
            json.WriteString("scheme"u8, "HTTP"u8);
            json.WriteEndObject();
        }

        if (initialDelaySeconds > 0)
        {
            json.WriteNumber("initialDelaySeconds"u8, initialDelaySeconds);
        }

        json.WriteNumber("timeoutSeconds"u8, 1);
        json.WriteNumber("periodSeconds"u8, 10);
        json.WriteNumber("successThreshold"u8, 1);
        json.WriteNumber("failureThreshold"u8, 3);
        json.WriteEndObject();
    }

    private void WritePendingStatus(Utf8JsonWriter json, AppProfile profile, DateTime created)
    {
        json.WriteStartObject("status"u8);
        json.WriteString("phase"u8, "Pending"u8);
        json.WriteStartArray("conditions"u8);
        json.WriteStartObject();
        json.WriteString("type"u8, "PodScheduled"u8);
        json.WriteString("status"u8, "False"u8);
        json.WriteNull("lastProbeTime"u8);
        _writer.WriteTime("lastTransitionTime"u8, created);
        json.WriteString("reason"u8, "Unschedulable"u8);
        json.WriteString("message"u8, _unschedulableMessage);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteString("qosClass"u8, profile.QosClass);
        json.WriteEndObject();
    }

    private void WriteRunningStatus(Utf8JsonWriter json, AppProfile profile, DateTime created, int node, int slot)
    {
        // Times follow creation by a few seconds (a restart by up to an hour), never passing the clock.
        var started = NotAfterNow(created.AddSeconds(2 + _random.Next(5)));
        var ready = NotAfterNow(started.AddSeconds(1 + _random.Next(10)));
        var restarts = _random.Percent(8) ? 1 + _random.Next(4) : 0;
        var lastStarted = restarts > 0 ? NotAfterNow(ready.AddSeconds(60 + _random.Next(3600))) : started;

        json.WriteStartObject("status"u8);
        json.WriteString("phase"u8, "Running"u8);
        json.WriteStartArray("conditions"u8);
        WriteCondition(json, "PodReadyToStartContainers"u8, started);
        WriteCondition(json, "Initialized"u8, created);
        WriteCondition(json, "Ready"u8, restarts > 0 ? lastStarted : ready);
        WriteCondition(json, "ContainersReady"u8, restarts > 0 ? lastStarted : ready);
        WriteCondition(json, "PodScheduled"u8, created);
        json.WriteEndArray();

        var hostIp = ClusterLayout.NodeAddress(node);
        var podIp = ClusterLayout.PodAddress(node, slot);
        _writer.WriteAddress("hostIP"u8, hostIp);
        json.WriteStartArray("hostIPs"u8);
        json.WriteStartObject();
        _writer.WriteAddress("ip"u8, hostIp);
        json.WriteEndObject();
        json.WriteEndArray();
        _writer.WriteAddress("podIP"u8, podIp);
        json.WriteStartArray("podIPs"u8);
        json.WriteStartObject();
        _writer.WriteAddress("ip"u8, podIp);
        json.WriteEndObject();
        json.WriteEndArray();
        _writer.WriteTime("startTime"u8, created);

        json.WriteStartArray("containerStatuses"u8);
        json.WriteStartObject();
        json.WriteString("name"u8, profile.Container);
        json.WriteStartObject("state"u8);
        json.WriteStartObject("running"u8);
        _writer.WriteTime("startedAt"u8, lastStarted);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartObject("lastState"u8);
        if (restarts > 0)
        {
            json.WriteStartObject("terminated"u8);
            json.WriteNumber("exitCode"u8, 137);
            json.WriteString("reason"u8, "OOMKilled"u8);
            _writer.WriteTime("startedAt"u8, started);
            _writer.WriteTime("finishedAt"u8, lastStarted > started ? lastStarted.AddSeconds(-1) : started);
            _writer.WriteRandomHex("containerID"u8, "containerd://"u8, 64, _random);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteBoolean("ready"u8, true);
        json.WriteNumber("restartCount"u8, restarts);
        json.WriteString("image"u8, profile.ImageReference);
        json.WriteString("imageID"u8, profile.ImageId);
        _writer.WriteRandomHex("containerID"u8, "containerd://"u8, 64, _random);
        json.WriteBoolean("started"u8, true);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteString("qosClass"u8, profile.QosClass);
        json.WriteEndObject();
    }

    private DateTime NotAfterNow(DateTime time) => time > _now ? _now : time;

    private void WriteCondition(Utf8JsonWriter json, ReadOnlySpan<byte> type, DateTime transition)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, type);
        json.WriteString("status"u8, "True"u8);
        json.WriteNull("lastProbeTime"u8);
        _writer.WriteTime("lastTransitionTime"u8, transition);
        json.WriteEndObject();
    }
}
