using YamlDotNet.Serialization;

namespace ApiCache.Upstream.Kubeconfig;

/// <summary>A kubeconfig user's auth provider, read only to name it in the error.</summary>
internal sealed class KubeconfigAuthProvider
{
    /// <summary>The provider name, e.g. <c>oidc</c>.</summary>
    [YamlMember(Alias = "name")]
    public string? Name { get; set; }
}
