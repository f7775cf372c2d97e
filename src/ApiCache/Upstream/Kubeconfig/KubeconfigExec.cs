using YamlDotNet.Serialization;

namespace ApiCache.Upstream.Kubeconfig;

/// <summary>A kubeconfig user's exec credential plugin, read only to name it in the error.</summary>
internal sealed class KubeconfigExec
{
    /// <summary>The plugin command.</summary>
    [YamlMember(Alias = "command")]
    public string? Command { get; set; }
}
