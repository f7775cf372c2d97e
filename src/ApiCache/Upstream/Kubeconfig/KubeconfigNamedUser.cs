using YamlDotNet.Serialization;

namespace ApiCache.Upstream.Kubeconfig;

/// <summary>An entry of a kubeconfig's <c>users</c> list.</summary>
internal sealed class KubeconfigNamedUser
{
    /// <summary>The name contexts refer to.</summary>
    [YamlMember(Alias = "name")]
    public string? Name { get; set; }

    /// <summary>The credentials.</summary>
    [YamlMember(Alias = "user")]
    public KubeconfigUser? User { get; set; }
}
