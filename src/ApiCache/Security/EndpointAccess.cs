namespace ApiCache.Security;

/// <summary>Whether a caller may use one of ApiCache's own endpoints (throttling admin, metrics).</summary>
internal enum EndpointAccess
{
    /// <summary>The request has no authenticated caller and ApiCache does not authenticate (trusted mode): the endpoint's own rules apply.</summary>
    NoCaller,

    /// <summary>The upstream allowed the caller: go on.</summary>
    Allowed,

    /// <summary>Refused; the 401, 403 or 503 has been written.</summary>
    Refused,
}
