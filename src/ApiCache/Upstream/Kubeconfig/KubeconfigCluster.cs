using YamlDotNet.Serialization;

namespace ApiCache.Upstream.Kubeconfig;

/// <summary>A kubeconfig cluster: the apiserver URL and how to trust it.</summary>
internal sealed class KubeconfigCluster
{
    /// <summary>The apiserver URL.</summary>
    [YamlMember(Alias = "server")]
    public string? Server { get; set; }

    /// <summary>Path of a PEM CA bundle, relative to the kubeconfig's directory.</summary>
    [YamlMember(Alias = "certificate-authority")]
    public string? CertificateAuthority { get; set; }

    /// <summary>Base64 of a PEM CA bundle.</summary>
    [YamlMember(Alias = "certificate-authority-data")]
    public string? CertificateAuthorityData { get; set; }

    /// <summary>Skip server certificate verification.</summary>
    [YamlMember(Alias = "insecure-skip-tls-verify")]
    public bool InsecureSkipTlsVerify { get; set; }

    /// <summary>The name to verify the server certificate against.</summary>
    [YamlMember(Alias = "tls-server-name")]
    public string? TlsServerName { get; set; }

    /// <summary>An HTTP or SOCKS proxy; not supported by ApiCache.</summary>
    [YamlMember(Alias = "proxy-url")]
    public string? ProxyUrl { get; set; }
}
