using System.Collections.Frozen;

namespace ApiCache.Caching;

/// <summary>
/// What ApiCache knows about the kube-apiserver's built-in resources without asking: their kind and
/// scope, and which API groups are built in (every other group is served from CRDs, whose list items
/// and field selectors behave differently).
/// </summary>
internal static class BuiltInResources
{
    /// <summary>API groups served by kube-apiserver itself (not by CRDs or aggregated servers).</summary>
    public static readonly FrozenSet<string> Groups = new[]
    {
        "", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io", "apps",
        "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io",
        "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io",
        "internal.apiserver.k8s.io", "networking.k8s.io", "node.k8s.io", "policy", "rbac.authorization.k8s.io",
        "resource.k8s.io", "scheduling.k8s.io", "storage.k8s.io", "storagemigration.k8s.io",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Kind and scope of the built-in resources a cache is commonly asked to hold.</summary>
    private static readonly FrozenDictionary<(string Group, string Resource), (string Kind, bool Namespaced)> Known =
        new Dictionary<(string, string), (string, bool)>
        {
            [("", "pods")] = ("Pod", true),
            [("", "nodes")] = ("Node", false),
            [("", "namespaces")] = ("Namespace", false),
            [("", "services")] = ("Service", true),
            [("", "endpoints")] = ("Endpoints", true),
            [("", "configmaps")] = ("ConfigMap", true),
            [("", "secrets")] = ("Secret", true),
            [("", "serviceaccounts")] = ("ServiceAccount", true),
            [("", "events")] = ("Event", true),
            [("", "persistentvolumes")] = ("PersistentVolume", false),
            [("", "persistentvolumeclaims")] = ("PersistentVolumeClaim", true),
            [("", "replicationcontrollers")] = ("ReplicationController", true),
            [("", "limitranges")] = ("LimitRange", true),
            [("", "resourcequotas")] = ("ResourceQuota", true),
            [("apps", "deployments")] = ("Deployment", true),
            [("apps", "replicasets")] = ("ReplicaSet", true),
            [("apps", "daemonsets")] = ("DaemonSet", true),
            [("apps", "statefulsets")] = ("StatefulSet", true),
            [("apps", "controllerrevisions")] = ("ControllerRevision", true),
            [("batch", "jobs")] = ("Job", true),
            [("batch", "cronjobs")] = ("CronJob", true),
            [("coordination.k8s.io", "leases")] = ("Lease", true),
            [("discovery.k8s.io", "endpointslices")] = ("EndpointSlice", true),
            [("networking.k8s.io", "ingresses")] = ("Ingress", true),
            [("networking.k8s.io", "networkpolicies")] = ("NetworkPolicy", true),
            [("policy", "poddisruptionbudgets")] = ("PodDisruptionBudget", true),
            [("rbac.authorization.k8s.io", "roles")] = ("Role", true),
            [("rbac.authorization.k8s.io", "rolebindings")] = ("RoleBinding", true),
            [("rbac.authorization.k8s.io", "clusterroles")] = ("ClusterRole", false),
            [("rbac.authorization.k8s.io", "clusterrolebindings")] = ("ClusterRoleBinding", false),
            [("storage.k8s.io", "storageclasses")] = ("StorageClass", false),
            [("storage.k8s.io", "csinodes")] = ("CSINode", false),
            [("storage.k8s.io", "volumeattachments")] = ("VolumeAttachment", false),
            [("scheduling.k8s.io", "priorityclasses")] = ("PriorityClass", false),
            [("node.k8s.io", "runtimeclasses")] = ("RuntimeClass", false),
            [("apiextensions.k8s.io", "customresourcedefinitions")] = ("CustomResourceDefinition", false),
        }.ToFrozenDictionary();

    /// <summary>
    /// What follows <c>"metadata":{..}</c> in an empty object of a built-in kind as the apiserver
    /// encodes it (a watch BOOKMARK's object, fixtures README "Notable facts" 4): the zero values Go's
    /// encoder writes for fields without <c>omitempty</c>. Empty for kinds with nothing there.
    /// </summary>
    private static readonly FrozenDictionary<(string Group, string Resource), string> EmptyObjectTails =
        new Dictionary<(string, string), string>
        {
            [("", "namespaces")] = ",\"spec\":{},\"status\":{}",
            [("", "nodes")] = ",\"spec\":{},\"status\":{\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":0}},\"nodeInfo\":{\"machineID\":\"\",\"systemUUID\":\"\",\"bootID\":\"\",\"kernelVersion\":\"\",\"osImage\":\"\",\"containerRuntimeVersion\":\"\",\"kubeletVersion\":\"\",\"kubeProxyVersion\":\"\",\"operatingSystem\":\"\",\"architecture\":\"\"}}",
            [("", "pods")] = ",\"spec\":{\"containers\":null},\"status\":{}",
            [("", "services")] = ",\"spec\":{},\"status\":{\"loadBalancer\":{}}",
            [("", "events")] = ",\"involvedObject\":{},\"source\":{},\"firstTimestamp\":null,\"lastTimestamp\":null,\"eventTime\":null,\"reportingComponent\":\"\",\"reportingInstance\":\"\"",
            [("apps", "deployments")] = ",\"spec\":{\"selector\":null,\"template\":{\"metadata\":{},\"spec\":{\"containers\":null}},\"strategy\":{}},\"status\":{}",
            [("coordination.k8s.io", "leases")] = ",\"spec\":{}",
        }.ToFrozenDictionary();

    /// <summary>The tail of an empty object of a built-in resource's kind (see <see cref="EmptyObjectTails"/>); "" when unknown.</summary>
    public static string EmptyObjectTail(string group, string resource) => EmptyObjectTails.GetValueOrDefault((group, resource), "");

    /// <summary>True when <paramref name="group"/> is served by kube-apiserver itself.</summary>
    public static bool IsBuiltInGroup(string group) => Groups.Contains(group);

    /// <summary>Kind and scope of a known built-in resource.</summary>
    public static bool TryGet(string group, string resource, out string kind, out bool namespaced)
    {
        if (Known.TryGetValue((group, resource), out var known))
        {
            (kind, namespaced) = known;
            return true;
        }

        kind = "";
        namespaced = false;
        return false;
    }

    /// <summary>
    /// Where the apiserver keeps a resource under its etcd prefix: <c>&lt;resource&gt;</c>, except for
    /// the few renamed ones (nodes are <c>minions</c>, services <c>services/specs</c>, ...); resources
    /// of other groups (CRDs, aggregated) are <c>&lt;group&gt;/&lt;resource&gt;</c>.
    /// </summary>
    public static string EtcdPath(string group, string resource) => (group, resource) switch
    {
        ("", "nodes") => "minions",
        ("", "services") => "services/specs",
        ("", "endpoints") => "services/endpoints",
        ("", "replicationcontrollers") => "controllers",
        ("networking.k8s.io", "ingresses") => "ingress",
        _ when Groups.Contains(group) => resource,
        _ => group + "/" + resource,
    };
}
