using YamlDotNet.Serialization;

namespace ApiCache.Upstream.Kubeconfig;

/// <summary>The parts of a kubeconfig file ApiCache reads; unknown fields are ignored.</summary>
internal sealed class KubeconfigFile
{
    /// <summary>Named clusters: where the apiservers are.</summary>
    [YamlMember(Alias = "clusters")]
    public List<KubeconfigNamedCluster>? Clusters { get; set; }

    /// <summary>Named users: the credentials.</summary>
    [YamlMember(Alias = "users")]
    public List<KubeconfigNamedUser>? Users { get; set; }

    /// <summary>Named contexts: a cluster and a user.</summary>
    [YamlMember(Alias = "contexts")]
    public List<KubeconfigNamedContext>? Contexts { get; set; }

    /// <summary>The context used when none is given.</summary>
    [YamlMember(Alias = "current-context")]
    public string? CurrentContext { get; set; }
}
