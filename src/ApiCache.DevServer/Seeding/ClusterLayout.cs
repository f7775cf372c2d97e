using System.Globalization;

namespace ApiCache.DevServer.Seeding;

/// <summary>
/// The shape of a seeded cluster, computed from the options alone: namespace and node names, the
/// teams owning namespaces, node and pod addresses, and which workload and replica each pod is.
/// </summary>
/// <remarks>
/// Pod i goes to namespace i mod N; inside a namespace its pods are dealt round-robin over
/// ⌈pods / ReplicasPerWorkload⌉ workloads, so small clusters get varied apps and big ones get
/// many workloads of a few replicas each, like real clusters.
/// </remarks>
internal sealed class ClusterLayout
{
    /// <summary>The namespaces every cluster has.</summary>
    public static IReadOnlyList<string> SystemNamespaces { get; } = ["default", "kube-system", "kube-public", "kube-node-lease"];

    private static readonly string[] Teams = ["payments", "search", "identity", "platform", "checkout", "analytics", "messaging", "storefront"];

    private const uint NodeNetwork = 0xAC100000;     // 172.16.0.0/12: one address per node
    private const uint PodNetwork = 0x0A800000;      // 10.128.0.0/9: one /24 per node
    private const int PodNetworkNodes = 1 << 15;     // /24s in the pod network; more nodes reuse them

    private readonly string[] _namespaces;
    private readonly string[] _nodes;
    private readonly int _pods;

    /// <summary>Computes the layout of <paramref name="options"/>.</summary>
    public ClusterLayout(SeedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _pods = options.Pods;
        ReplicasPerWorkload = options.ReplicasPerWorkload;
        _namespaces = new string[options.Namespaces];
        for (var i = 0; i < _namespaces.Length; i++)
        {
            _namespaces[i] = "ns-" + i.ToString(CultureInfo.InvariantCulture);
        }

        var width = Math.Max(4, (options.Nodes - 1).ToString(CultureInfo.InvariantCulture).Length);
        _nodes = new string[options.Nodes];
        for (var i = 0; i < _nodes.Length; i++)
        {
            _nodes[i] = "node-" + i.ToString("D" + width.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Pods per workload the layout aims for.</summary>
    public int ReplicasPerWorkload { get; }

    /// <summary>The seeded namespaces (<c>ns-0</c>, ...), in order.</summary>
    public IReadOnlyList<string> Namespaces => _namespaces;

    /// <summary>The node names, in order.</summary>
    public IReadOnlyList<string> Nodes => _nodes;

    /// <summary>The team owning seeded namespace <paramref name="namespaceIndex"/> (its <c>team</c> label).</summary>
    public static string TeamOf(int namespaceIndex) => Teams[namespaceIndex % Teams.Length];

    /// <summary>A node's InternalIP (172.16.0.10 on).</summary>
    public static uint NodeAddress(int node) => NodeNetwork + 10 + (uint)node;

    /// <summary>The first address of a node's pod /24 (10.128.0.0 on).</summary>
    public static uint PodNetworkOf(int node) => PodNetwork + ((uint)(node % PodNetworkNodes) << 8);

    /// <summary>The address of the <paramref name="slot"/>th pod placed on <paramref name="node"/>.</summary>
    public static uint PodAddress(int node, int slot) => PodNetworkOf(node) + 2 + (uint)(slot % 250);

    /// <summary>Where pod <paramref name="pod"/> belongs: its namespace, workload and replica number.</summary>
    public (int Namespace, int Workload, int Replica) PlacePod(int pod)
    {
        var namespaceCount = _namespaces.Length;
        var ns = pod % namespaceCount;
        var inNamespace = pod / namespaceCount;
        var podsInNamespace = (_pods - ns + namespaceCount - 1) / namespaceCount;
        var workloads = Math.Max(1, (podsInNamespace + ReplicasPerWorkload - 1) / ReplicasPerWorkload);
        return (ns, inNamespace % workloads, inNamespace / workloads);
    }

    /// <summary>
    /// The name of workload <paramref name="workload"/> of a namespace and its template:
    /// <c>web</c>, <c>api</c>, ... then <c>web-1</c>, <c>api-1</c>, ...
    /// </summary>
    public static (string Name, AppProfile Profile) Workload(int workload)
    {
        var profiles = AppProfile.All;
        var profile = profiles[workload % profiles.Count];
        var round = workload / profiles.Count;
        return (round == 0 ? profile.App : profile.App + "-" + round.ToString(CultureInfo.InvariantCulture), profile);
    }
}
