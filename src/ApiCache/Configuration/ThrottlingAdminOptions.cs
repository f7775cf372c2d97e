namespace ApiCache.Configuration;

/// <summary>
/// The admin endpoint <c>/apicache/v1/throttles</c>, which reads and changes the throttling rules at
/// runtime. Off by default. Who may use it (and <c>/apicache/v1/top</c>): in the Authenticate
/// security mode, callers the upstream allows by SubjectAccessReview (the path, with the HTTP method
/// as the verb); in the Trusted mode, only the identities configured here. Bound from
/// <c>ApiCache:Throttling:Admin</c>.
/// </summary>
public sealed class ThrottlingAdminOptions
{
    /// <summary>Serve the admin endpoint. In the Trusted security mode it needs <see cref="BearerTokenFile"/> or <see cref="ClientCertificateCommonNames"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// A file holding the bearer token callers must present (<c>Authorization: Bearer ...</c>);
    /// surrounding whitespace is ignored, and the file is read again when it changes.
    /// </summary>
    public string? BearerTokenFile { get; set; }

    /// <summary>
    /// Common names of client certificates that may use the endpoint, when the host serves HTTPS and
    /// asks for (and validates) client certificates.
    /// </summary>
#pragma warning disable CA2227 // Options classes are bound from configuration, which needs a setter.
    public IList<string>? ClientCertificateCommonNames { get; set; }
#pragma warning restore CA2227
}
