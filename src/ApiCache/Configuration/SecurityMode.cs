namespace ApiCache.Configuration;

/// <summary>Whether ApiCache checks who its callers are (<c>ApiCache:Security:Mode</c>).</summary>
public enum SecurityMode
{
    /// <summary>
    /// The default: every request is authenticated (client certificate, bearer token via
    /// TokenReview, or anonymous when allowed), every read answered from the cache is authorized
    /// with a SubjectAccessReview first, and forwarded requests carry the caller's identity.
    /// </summary>
    Authenticate,

    /// <summary>
    /// No authentication or authorization by ApiCache: for an embedding host that has already
    /// authenticated and authorized the request, or a loopback-only development setup. Logged as a
    /// warning at start. Forwarded requests keep the caller's <c>Authorization</c> header unless the
    /// upstream is configured with ApiCache's own credentials.
    /// </summary>
    Trusted,
}
