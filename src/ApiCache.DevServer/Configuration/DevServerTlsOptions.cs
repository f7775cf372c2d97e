namespace ApiCache.DevServer.Configuration;

/// <summary>
/// TLS of the dev API server (configuration section <c>DevServer:Tls</c>). With
/// <see cref="CertificateFile"/> and <see cref="KeyFile"/> it serves HTTPS (HTTP/1.1 and HTTP/2)
/// and asks for, but does not require, client certificates; which of them identify a user is
/// decided by the CA files here when a policy is configured (<see cref="DevServerSecurityOptions"/>).
/// </summary>
public sealed class DevServerTlsOptions
{
    /// <summary>The PEM serving certificate (like <c>--tls-cert-file</c>).</summary>
    public string? CertificateFile { get; set; }

    /// <summary>The PEM private key of <see cref="CertificateFile"/> (like <c>--tls-private-key-file</c>).</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// PEM bundle of the CAs whose client certificates identify users: user = CN, groups = O
    /// (like <c>--client-ca-file</c>). Read again when it changes.
    /// </summary>
    public string? ClientCaFile { get; set; }

    /// <summary>
    /// PEM bundle of the CAs of front proxies (like <c>--requestheader-client-ca-file</c>): a client
    /// certificate that chains to it (with a CN in <see cref="RequestHeaderAllowedNames"/>) may name
    /// the user in <c>X-Remote-User</c>, <c>X-Remote-Group</c> and <c>X-Remote-Extra-*</c>.
    /// </summary>
    public string? RequestHeaderClientCaFile { get; set; }

    /// <summary>The CNs a front proxy's certificate may have (like <c>--requestheader-allowed-names</c>); empty = any.</summary>
    public IList<string> RequestHeaderAllowedNames { get; } = [];

    /// <summary>True when both <see cref="CertificateFile"/> and <see cref="KeyFile"/> are set: the server speaks HTTPS.</summary>
    public bool ServesHttps => !string.IsNullOrWhiteSpace(CertificateFile) && !string.IsNullOrWhiteSpace(KeyFile);
}
