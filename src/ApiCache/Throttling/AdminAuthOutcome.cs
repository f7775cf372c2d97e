namespace ApiCache.Throttling;

/// <summary>Whether a caller may use the throttling admin endpoints.</summary>
internal enum AdminAuthOutcome
{
    /// <summary>A configured identity: go on.</summary>
    Allowed,

    /// <summary>No credentials, or a bearer token that is not the configured one: 401.</summary>
    Unauthenticated,

    /// <summary>A client certificate whose common name is not configured: 403.</summary>
    Forbidden,
}
