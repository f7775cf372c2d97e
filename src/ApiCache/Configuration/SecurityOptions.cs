namespace ApiCache.Configuration;

/// <summary>
/// Who may read what through ApiCache (the <c>ApiCache:Security</c> section): authentication of
/// callers, authorization of reads answered from the cache, and how forwarded requests carry the
/// caller's identity. See the README's security model.
/// </summary>
public sealed class SecurityOptions
{
    /// <summary><see cref="SecurityMode.Authenticate"/> (the default) or <see cref="SecurityMode.Trusted"/>.</summary>
    public SecurityMode Mode { get; set; } = SecurityMode.Authenticate;

    /// <summary>How callers are authenticated.</summary>
    public CallerAuthenticationOptions Authentication { get; set; } = new();

    /// <summary>How cache-served reads are authorized.</summary>
    public CallerAuthorizationOptions Authorization { get; set; } = new();

    /// <summary>How forwarded requests carry the caller's identity.</summary>
    public IdentityForwardingOptions Forwarding { get; set; } = new();
}
