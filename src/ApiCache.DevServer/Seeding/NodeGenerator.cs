using System.Text.Json;

namespace ApiCache.DevServer.Seeding;

/// <summary>
/// Generates the seeded nodes: Ready workers spread over three zones, a few machine sizes, with
/// the labels, addresses, capacity, conditions, nodeInfo and image list a kubelet reports, in the
/// apiserver's member order.
/// </summary>
internal sealed class NodeGenerator
{
    private static readonly (string Type, string Cpu, string Memory, string AllocatableCpu, string AllocatableMemory)[] Machines =
    [
        ("m5.2xlarge", "8", "32386544Ki", "7910m", "31369712Ki"),
        ("m5.4xlarge", "16", "64779548Ki", "15890m", "63762716Ki"),
        ("c5.4xlarge", "16", "32386544Ki", "15890m", "31369712Ki"),
        ("r5.2xlarge", "8", "65297616Ki", "7910m", "64280784Ki"),
    ];

    private static readonly string[] Zones = ["zone-a", "zone-b", "zone-c"];

    private const int MinNodeAgeSeconds = 20 * 24 * 3600;
    private const int NodeAgeSpreadSeconds = 10 * 24 * 3600;

    private readonly SeedOptions _options;
    private readonly ClusterLayout _layout;
    private readonly SeedJsonWriter _writer;
    private readonly DateTime _now;
    private readonly SeedRandom _random = new();

    /// <summary>Creates the generator; <paramref name="now"/> is the seeding time (second precision).</summary>
    public NodeGenerator(SeedOptions options, ClusterLayout layout, SeedJsonWriter writer, DateTime now)
    {
        _options = options;
        _layout = layout;
        _writer = writer;
        _now = now;
    }

    /// <summary>Generates node <paramref name="index"/>.</summary>
    public GeneratedObject Generate(int index)
    {
        _random.Reset(_options.Seed, SeedStream.Node, index);
        var name = _layout.Nodes[index];
        var machine = Machines[_random.Next(Machines.Length)];
        var created = _now.AddSeconds(-MinNodeAgeSeconds - _random.Next(NodeAgeSpreadSeconds));
        var heartbeat = _now.AddSeconds(-_random.Next(40));

        var json = _writer.Json;
        _writer.Begin("Node"u8, "v1"u8, name);
        _writer.WriteUid("uid"u8, _random);
        _writer.WriteTime("creationTimestamp"u8, created);
        json.WriteStartObject("labels"u8);
        json.WriteString("beta.kubernetes.io/arch"u8, "amd64"u8);
        json.WriteString("beta.kubernetes.io/instance-type"u8, machine.Type);
        json.WriteString("beta.kubernetes.io/os"u8, "linux"u8);
        json.WriteString("kubernetes.io/arch"u8, "amd64"u8);
        json.WriteString("kubernetes.io/hostname"u8, name);
        json.WriteString("kubernetes.io/os"u8, "linux"u8);
        json.WriteString("node-role.kubernetes.io/worker"u8, ""u8);
        json.WriteString("node.kubernetes.io/instance-type"u8, machine.Type);
        json.WriteString("topology.kubernetes.io/region"u8, "region-1"u8);
        json.WriteString("topology.kubernetes.io/zone"u8, Zones[index % Zones.Length]);
        json.WriteEndObject();
        json.WriteStartObject("annotations"u8);
        json.WriteString("node.alpha.kubernetes.io/ttl"u8, "0"u8);
        json.WriteString("volumes.kubernetes.io/controller-managed-attach-detach"u8, "true"u8);
        json.WriteEndObject();
        json.WriteEndObject(); // metadata

        var podNetwork = ClusterLayout.PodNetworkOf(index);
        json.WriteStartObject("spec"u8);
        _writer.WriteAddress("podCIDR"u8, podNetwork, "/24"u8);
        json.WriteStartArray("podCIDRs"u8);
        _writer.WriteAddress(default, podNetwork, "/24"u8);
        json.WriteEndArray();
        json.WriteEndObject();

        json.WriteStartObject("status"u8);
        WriteResources(json, "capacity"u8, machine.Cpu, machine.Memory, "102625208Ki"u8);
        WriteResources(json, "allocatable"u8, machine.AllocatableCpu, machine.AllocatableMemory, "94580335255"u8);
        json.WriteStartArray("conditions"u8);
        WriteCondition(json, "MemoryPressure"u8, "False"u8, heartbeat, created, "KubeletHasSufficientMemory"u8, "kubelet has sufficient memory available"u8);
        WriteCondition(json, "DiskPressure"u8, "False"u8, heartbeat, created, "KubeletHasNoDiskPressure"u8, "kubelet has no disk pressure"u8);
        WriteCondition(json, "PIDPressure"u8, "False"u8, heartbeat, created, "KubeletHasSufficientPID"u8, "kubelet has sufficient PID available"u8);
        WriteCondition(json, "Ready"u8, "True"u8, heartbeat, created.AddSeconds(12), "KubeletReady"u8, "kubelet is posting ready status"u8);
        json.WriteEndArray();
        json.WriteStartArray("addresses"u8);
        json.WriteStartObject();
        json.WriteString("type"u8, "InternalIP"u8);
        _writer.WriteAddress("address"u8, ClusterLayout.NodeAddress(index));
        json.WriteEndObject();
        json.WriteStartObject();
        json.WriteString("type"u8, "Hostname"u8);
        json.WriteString("address"u8, name);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartObject("daemonEndpoints"u8);
        json.WriteStartObject("kubeletEndpoint"u8);
        json.WriteNumber("Port"u8, 10250);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartObject("nodeInfo"u8);
        _writer.WriteRandomHex("machineID"u8, default, 32, _random);
        _writer.WriteUid("systemUUID"u8, _random);
        _writer.WriteUid("bootID"u8, _random);
        json.WriteString("kernelVersion"u8, "6.1.0-27-amd64"u8);
        json.WriteString("osImage"u8, "Debian GNU/Linux 12 (bookworm)"u8);
        json.WriteString("containerRuntimeVersion"u8, "containerd://1.7.22"u8);
        json.WriteString("kubeletVersion"u8, "v1.34.9"u8);
        json.WriteString("kubeProxyVersion"u8, ""u8);
        json.WriteString("operatingSystem"u8, "linux"u8);
        json.WriteString("architecture"u8, "amd64"u8);
        json.WriteEndObject();
        WriteImages(json);
        json.WriteEndObject(); // status

        return new GeneratedObject(null, name, _writer.Finish());
    }

    private static void WriteResources(Utf8JsonWriter json, ReadOnlySpan<byte> property, string cpu, string memory, ReadOnlySpan<byte> storage)
    {
        json.WriteStartObject(property);
        json.WriteString("cpu"u8, cpu);
        json.WriteString("ephemeral-storage"u8, storage);
        json.WriteString("hugepages-1Gi"u8, "0"u8);
        json.WriteString("hugepages-2Mi"u8, "0"u8);
        json.WriteString("memory"u8, memory);
        json.WriteString("pods"u8, "110"u8);
        json.WriteEndObject();
    }

    private void WriteCondition(
        Utf8JsonWriter json, ReadOnlySpan<byte> type, ReadOnlySpan<byte> status, DateTime heartbeat, DateTime transition,
        ReadOnlySpan<byte> reason, ReadOnlySpan<byte> message)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, type);
        json.WriteString("status"u8, status);
        _writer.WriteTime("lastHeartbeatTime"u8, heartbeat);
        _writer.WriteTime("lastTransitionTime"u8, transition);
        json.WriteString("reason"u8, reason);
        json.WriteString("message"u8, message);
        json.WriteEndObject();
    }

    /// <summary>The images the kubelet reports as present, largest first: the first and a random ~60% of the others.</summary>
    private void WriteImages(Utf8JsonWriter json)
    {
        json.WriteStartArray("images"u8);
        var images = AppProfile.ByImageSize;
        for (var i = 0; i < images.Count; i++)
        {
            var profile = images[i];
            if (_random.Percent(60) || i == 0)
            {
                json.WriteStartObject();
                json.WriteStartArray("names"u8);
                json.WriteStringValue(profile.ImageId);
                json.WriteStringValue(profile.ImageReference);
                json.WriteEndArray();
                json.WriteNumber("sizeBytes"u8, profile.ImageSizeBytes);
                json.WriteEndObject();
            }
        }

        json.WriteEndArray();
    }
}
