using Microsoft.AspNetCore.Http;

namespace ApiCache.Security;

/// <summary>
/// The authenticated caller of a request, set by the authentication middleware before anything
/// else runs; absent in <see cref="Configuration.SecurityMode.Trusted"/> mode. Authorization
/// (before serving from the cache) and identity forwarding read it.
/// </summary>
internal sealed class CallerFeature(UserInfo user, string authenticatedBy)
{
    /// <summary>The effective user (after impersonation, when the caller asked for it and was allowed).</summary>
    public UserInfo User { get; } = user;

    /// <summary>How the caller was authenticated: <c>x509</c>, <c>token</c> or <c>anonymous</c> (for logs and metrics).</summary>
    public string AuthenticatedBy { get; } = authenticatedBy;

    /// <summary>The caller of <paramref name="context"/>, or null when ApiCache does not authenticate (trusted mode).</summary>
    public static CallerFeature? Get(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<CallerFeature>();
    }
}
