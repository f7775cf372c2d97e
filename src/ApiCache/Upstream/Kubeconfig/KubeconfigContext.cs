using YamlDotNet.Serialization;

namespace ApiCache.Upstream.Kubeconfig;

/// <summary>A kubeconfig context: which cluster, as which user.</summary>
internal sealed class KubeconfigContext
{
    /// <summary>Name of an entry in <c>clusters</c>.</summary>
    [YamlMember(Alias = "cluster")]
    public string? Cluster { get; set; }

    /// <summary>Name of an entry in <c>users</c>; no credentials when empty.</summary>
    [YamlMember(Alias = "user")]
    public string? User { get; set; }

    /// <summary>The default namespace; not used by ApiCache, which forwards clients' namespaces.</summary>
    [YamlMember(Alias = "namespace")]
    public string? Namespace { get; set; }
}
