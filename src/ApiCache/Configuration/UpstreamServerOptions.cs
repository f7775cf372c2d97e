namespace ApiCache.Configuration;

/// <summary>One apiserver endpoint and the credentials ApiCache uses towards it.</summary>
public sealed class UpstreamServerOptions
{
    /// <summary>The apiserver's base URL, e.g. <c>https://10.0.0.1:6443</c>. A path prefix is kept.</summary>
    public string? Url { get; set; }

    /// <summary>A bearer token sent as <c>Authorization: Bearer</c>.</summary>
    public string? BearerToken { get; set; }

    /// <summary>A file holding a bearer token; re-read periodically so rotated tokens are picked up.</summary>
    public string? BearerTokenFile { get; set; }

    /// <summary>PEM client certificate presented to the apiserver (needs <see cref="ClientKeyFile"/>).</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>PEM CA bundle the apiserver's serving certificate must chain to.</summary>
    public string? CertificateAuthorityFile { get; set; }

    /// <summary>Skip verification of the apiserver's certificate. For development only.</summary>
    public bool InsecureSkipTlsVerify { get; set; }

    /// <summary>The name expected in the apiserver's certificate, when it differs from the URL's host.</summary>
    public string? TlsServerName { get; set; }
}
