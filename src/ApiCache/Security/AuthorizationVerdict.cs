namespace ApiCache.Security;

/// <summary>What became of a request ApiCache authorized itself.</summary>
internal enum AuthorizationVerdict
{
    /// <summary>The upstream allowed it: answer it.</summary>
    Allowed,

    /// <summary>The upstream did not allow it; the 403 has been written.</summary>
    Denied,

    /// <summary>No decision could be had from the upstream; nothing has been written.</summary>
    Unavailable,
}
