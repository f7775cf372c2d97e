namespace ApiCache.Security;

/// <summary>What one way of authenticating (client certificate, bearer token) made of a request.</summary>
internal enum AuthenticationOutcome
{
    /// <summary>The request carries no such credential (or this way is not configured): try the next way.</summary>
    None,

    /// <summary>The credential is valid: the request is the user it names.</summary>
    Authenticated,

    /// <summary>The credential is invalid (unknown token, certificate that does not verify): 401, as the apiserver answers it.</summary>
    Rejected,

    /// <summary>The credential could not be checked (the upstream failed the TokenReview): 401, not remembered.</summary>
    Unavailable,
}
