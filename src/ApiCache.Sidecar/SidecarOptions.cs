namespace ApiCache.Sidecar;

/// <summary>Where the sidecar listens; bound from the <c>Sidecar</c> configuration section.</summary>
internal sealed class SidecarOptions
{
    public const string SectionName = "Sidecar";

    /// <summary>Plain-HTTP listen URL; loopback by default. Empty turns plain HTTP off.</summary>
    public string? Listen { get; set; } = "http://127.0.0.1:8001";

    /// <summary>Optional HTTPS listener (HTTP/2 and HTTP/1.1).</summary>
    public SidecarHttpsOptions Https { get; set; } = new();
}

/// <summary>The HTTPS listener: a URL, and the serving certificate and key as PEM files.</summary>
internal sealed class SidecarHttpsOptions
{
    /// <summary>HTTPS listen URL, e.g. <c>https://0.0.0.0:6443</c>. Empty turns HTTPS off.</summary>
    public string? Listen { get; set; }

    /// <summary>PEM serving certificate (chain allowed).</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; set; }
}
