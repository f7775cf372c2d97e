using YamlDotNet.Serialization;

namespace ApiCache.Upstream.Kubeconfig;

/// <summary>An entry of a kubeconfig's <c>clusters</c> list.</summary>
internal sealed class KubeconfigNamedCluster
{
    /// <summary>The name contexts refer to.</summary>
    [YamlMember(Alias = "name")]
    public string? Name { get; set; }

    /// <summary>The cluster itself.</summary>
    [YamlMember(Alias = "cluster")]
    public KubeconfigCluster? Cluster { get; set; }
}
