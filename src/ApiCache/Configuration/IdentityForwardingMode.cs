namespace ApiCache.Configuration;

/// <summary>How a forwarded request tells the upstream who the caller is (<c>ApiCache:Security:Forwarding:Mode</c>).</summary>
public enum IdentityForwardingMode
{
    /// <summary>
    /// <c>Impersonate-User</c>, <c>Impersonate-Uid</c>, <c>Impersonate-Group</c> and
    /// <c>Impersonate-Extra-*</c> headers, sent with ApiCache's own upstream credentials (which
    /// need RBAC permission to impersonate users, groups, uids and userextras).
    /// </summary>
    Impersonate,

    /// <summary>
    /// The apiserver's request-header (front-proxy) authentication: <c>X-Remote-User</c>,
    /// <c>X-Remote-Group</c> and <c>X-Remote-Extra-*</c>, sent over a connection authenticated with
    /// the front-proxy client certificate (<see cref="IdentityForwardingOptions.FrontProxyCertificateFile"/>),
    /// which the apiserver trusts through <c>--requestheader-client-ca-file</c>.
    /// </summary>
    FrontProxy,
}
