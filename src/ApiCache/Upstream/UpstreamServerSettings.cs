namespace ApiCache.Upstream;

/// <summary>
/// One apiserver endpoint with its credentials, resolved from whichever source was configured
/// (explicit servers, kubeconfig, in-cluster). Certificate material is loaded at resolution time;
/// a bearer token file is kept as a path because it is re-read as it rotates.
/// </summary>
internal sealed record UpstreamServerSettings
{
    /// <summary>Base URL of the apiserver; any path prefix is kept and requests are appended to it.</summary>
    public required Uri Url { get; init; }

    /// <summary>A static bearer token.</summary>
    public string? BearerToken { get; init; }

    /// <summary>A file holding the bearer token, re-read periodically.</summary>
    public string? BearerTokenFile { get; init; }

    /// <summary>PEM bytes of the client certificate (chain allowed).</summary>
    public byte[]? ClientCertificatePem { get; init; }

    /// <summary>PEM bytes of the client certificate's private key.</summary>
    public byte[]? ClientKeyPem { get; init; }

    /// <summary>PEM bytes of the CA bundle the server certificate must chain to; system roots when null.</summary>
    public byte[]? CertificateAuthorityPem { get; init; }

    /// <summary>Skip server certificate verification.</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>Name to verify the server certificate against, when not the URL host.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>Where these settings came from, for log lines and error messages.</summary>
    public required string Source { get; init; }
}
