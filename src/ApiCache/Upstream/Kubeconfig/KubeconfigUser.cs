using YamlDotNet.Serialization;

namespace ApiCache.Upstream.Kubeconfig;

/// <summary>
/// A kubeconfig user (<c>AuthInfo</c>). ApiCache supports tokens, token files and client
/// certificates; the other methods are read only to reject them with a clear error.
/// </summary>
internal sealed class KubeconfigUser
{
    /// <summary>A static bearer token.</summary>
    [YamlMember(Alias = "token")]
    public string? Token { get; set; }

    /// <summary>A file holding a bearer token, relative to the kubeconfig's directory.</summary>
    [YamlMember(Alias = "tokenFile")]
    public string? TokenFile { get; set; }

    /// <summary>Path of a PEM client certificate.</summary>
    [YamlMember(Alias = "client-certificate")]
    public string? ClientCertificate { get; set; }

    /// <summary>Base64 of a PEM client certificate.</summary>
    [YamlMember(Alias = "client-certificate-data")]
    public string? ClientCertificateData { get; set; }

    /// <summary>Path of a PEM private key.</summary>
    [YamlMember(Alias = "client-key")]
    public string? ClientKey { get; set; }

    /// <summary>Base64 of a PEM private key.</summary>
    [YamlMember(Alias = "client-key-data")]
    public string? ClientKeyData { get; set; }

    /// <summary>Basic authentication user; not supported.</summary>
    [YamlMember(Alias = "username")]
    public string? Username { get; set; }

    /// <summary>Basic authentication password; not supported.</summary>
    [YamlMember(Alias = "password")]
    public string? Password { get; set; }

    /// <summary>User to impersonate; not supported.</summary>
    [YamlMember(Alias = "as")]
    public string? Impersonate { get; set; }

    /// <summary>An exec credential plugin; not supported.</summary>
    [YamlMember(Alias = "exec")]
    public KubeconfigExec? Exec { get; set; }

    /// <summary>An auth provider plugin; not supported.</summary>
    [YamlMember(Alias = "auth-provider")]
    public KubeconfigAuthProvider? AuthProvider { get; set; }
}
