using YamlDotNet.Serialization;

namespace ApiCache.Upstream.Kubeconfig;

/// <summary>An entry of a kubeconfig's <c>contexts</c> list.</summary>
internal sealed class KubeconfigNamedContext
{
    /// <summary>The context name.</summary>
    [YamlMember(Alias = "name")]
    public string? Name { get; set; }

    /// <summary>The context itself.</summary>
    [YamlMember(Alias = "context")]
    public KubeconfigContext? Context { get; set; }
}
