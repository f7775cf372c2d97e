namespace ApiCache.Configuration;

/// <summary>How forwarded requests carry the caller's identity (the <c>ApiCache:Security:Forwarding</c> section).</summary>
public sealed class IdentityForwardingOptions
{
    /// <summary>Impersonation headers (the default) or front-proxy request headers.</summary>
    public IdentityForwardingMode Mode { get; set; } = IdentityForwardingMode.Impersonate;

    /// <summary>PEM client certificate presented to the upstream in <see cref="IdentityForwardingMode.FrontProxy"/> mode.</summary>
    public string? FrontProxyCertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="FrontProxyCertificateFile"/>.</summary>
    public string? FrontProxyKeyFile { get; set; }
}
