using ApiCache.DevServer.Resources;

namespace ApiCache.DevServer.Patching;

/// <summary>
/// The patch strategies (Go struct tags <c>patchStrategy:"merge"</c> and <c>patchMergeKey</c>) of the
/// fields of the built-in kinds the dev server serves, as far as strategic merge patch needs them.
/// A node describes one field's value: for a struct, its fields; for a list, whether it merges (and
/// by which key) and, through <see cref="Field"/>, the fields of its elements.
/// </summary>
/// <remarks>
/// Covered (Kubernetes 1.34 tags): metadata.finalizers (set) and metadata.ownerReferences (uid) on
/// every kind; Pod and Deployment pod specs: containers, initContainers, ephemeralContainers (name),
/// their ports (containerPort), env (name), volumeMounts (mountPath), volumeDevices (devicePath);
/// volumes, imagePullSecrets, resourceClaims, schedulingGates (name), hostAliases (ip),
/// topologySpreadConstraints (topologyKey); Pod status conditions (type), podIPs and hostIPs (ip),
/// resourceClaimStatuses (name); Node spec.podCIDRs (set), status conditions and addresses (type);
/// Namespace, Service and Deployment status conditions (type); Service spec.ports (port);
/// ServiceAccount secrets (name). Every other list is replaced as a whole, like a list without a
/// patch strategy; a kind not listed here gets the metadata fields only.
/// </remarks>
internal sealed class StrategicMergeSchema
{
    /// <summary>A value without strategies: maps merge, lists are replaced.</summary>
    public static readonly StrategicMergeSchema None = new(mergeList: false, mergeKey: null, []);

    private static readonly StrategicMergeSchema Metadata = Struct(
        ("finalizers", MergeList(null)),
        ("ownerReferences", MergeList("uid")));

    private static readonly StrategicMergeSchema Container = Struct(
        ("ports", MergeList("containerPort")),
        ("env", MergeList("name")),
        ("volumeMounts", MergeList("mountPath")),
        ("volumeDevices", MergeList("devicePath")));

    private static readonly StrategicMergeSchema PodSpec = Struct(
        ("volumes", MergeList("name")),
        ("initContainers", MergeList("name", Container)),
        ("containers", MergeList("name", Container)),
        ("ephemeralContainers", MergeList("name", Container)),
        ("imagePullSecrets", MergeList("name")),
        ("hostAliases", MergeList("ip")),
        ("topologySpreadConstraints", MergeList("topologyKey")),
        ("resourceClaims", MergeList("name")),
        ("schedulingGates", MergeList("name")));

    private static readonly StrategicMergeSchema Conditions = MergeList("type");

    private static readonly Dictionary<(string Group, string Kind), StrategicMergeSchema> Kinds = new()
    {
        [("", "Pod")] = Struct(
            ("metadata", Metadata),
            ("spec", PodSpec),
            ("status", Struct(
                ("conditions", Conditions),
                ("podIPs", MergeList("ip")),
                ("hostIPs", MergeList("ip")),
                ("resourceClaimStatuses", MergeList("name"))))),
        [("apps", "Deployment")] = Struct(
            ("metadata", Metadata),
            ("spec", Struct(("template", Struct(("metadata", Metadata), ("spec", PodSpec))))),
            ("status", Struct(("conditions", Conditions)))),
        [("", "Node")] = Struct(
            ("metadata", Metadata),
            ("spec", Struct(("podCIDRs", MergeList(null)))),
            ("status", Struct(("conditions", Conditions), ("addresses", MergeList("type"))))),
        [("", "Namespace")] = Struct(
            ("metadata", Metadata),
            ("status", Struct(("conditions", Conditions)))),
        [("", "Service")] = Struct(
            ("metadata", Metadata),
            ("spec", Struct(("ports", MergeList("port")))),
            ("status", Struct(("conditions", Conditions)))),
        [("", "ServiceAccount")] = Struct(
            ("metadata", Metadata),
            ("secrets", MergeList("name"))),
    };

    private static readonly StrategicMergeSchema AnyObject = Struct(("metadata", Metadata));

    private readonly Dictionary<string, StrategicMergeSchema> _fields;

    private StrategicMergeSchema(bool mergeList, string? mergeKey, Dictionary<string, StrategicMergeSchema> fields)
    {
        MergeListStrategy = mergeList;
        MergeKey = mergeKey;
        _fields = fields;
    }

    /// <summary>True for a list with <c>patchStrategy:"merge"</c>: patch elements merge into it instead of replacing it.</summary>
    public bool MergeListStrategy { get; }

    /// <summary>The field identifying the elements of a merging list of objects; null for a list of scalars (a set).</summary>
    public string? MergeKey { get; }

    /// <summary>The schema for an object kind; kinds without entries get the metadata strategies only.</summary>
    public static StrategicMergeSchema For(ResourceDefinition resource) => For(resource.Group, resource.Kind);

    /// <summary>The schema for the kind <paramref name="kind"/> of API group <paramref name="group"/> ("" for core).</summary>
    public static StrategicMergeSchema For(string group, string kind) => Kinds.GetValueOrDefault((group, kind)) ?? AnyObject;

    /// <summary>The schema of a field of this struct (or of this list's elements); <see cref="None"/> when it has no strategies.</summary>
    public StrategicMergeSchema Field(string name) => _fields.GetValueOrDefault(name) ?? None;

    private static StrategicMergeSchema Struct(params (string Name, StrategicMergeSchema Schema)[] fields) =>
        new(mergeList: false, mergeKey: null, fields.ToDictionary(f => f.Name, f => f.Schema, StringComparer.Ordinal));

    private static StrategicMergeSchema MergeList(string? mergeKey, StrategicMergeSchema? element = null) =>
        new(mergeList: true, mergeKey, element?._fields ?? []);
}
