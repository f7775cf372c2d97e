namespace ApiCache.Configuration;

/// <summary>
/// How reads answered from the cache are authorized (the <c>ApiCache:Security:Authorization</c>
/// section): a SubjectAccessReview against the upstream with the request's attributes, its
/// decision cached briefly.
/// </summary>
public sealed class CallerAuthorizationOptions
{
    /// <summary>How long an allowed decision is reused.</summary>
    public TimeSpan AllowTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a denied decision is reused.</summary>
    public TimeSpan DenyTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most decisions kept.</summary>
    public int CacheSize { get; set; } = 10_000;

    /// <summary>
    /// Send the request's field and label selectors in the review (Kubernetes 1.31+
    /// selector-aware authorization, which the node authorizer needs to allow a kubelet's
    /// <c>spec.nodeName=</c> list). Turn off only for upstreams that reject them.
    /// </summary>
    public bool Selectors { get; set; } = true;

    /// <summary>Require an authorized identity (a review of <c>get</c> on the metrics path) for the metrics endpoint.</summary>
    public bool Metrics { get; set; }
}
