using ApiCache.Security;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Tests.Security.Authorization;

/// <summary>
/// Stands in for the authentication middleware: sets the <see cref="CallerFeature"/> of a request
/// from its bearer token (<c>alice-token</c>, <c>node1-token</c>, <c>admin-token</c>, or
/// <c>anonymous</c> for the anonymous user, as the fixtures' identities); other requests get none.
/// </summary>
internal static class TestCallers
{
    public static readonly UserInfo Alice = UserInfo.Authenticated("alice", "alice-uid", ["developers"]);
    public static readonly UserInfo Node1 = UserInfo.Authenticated("system:node:node-1", "", ["system:nodes"]);
    public static readonly UserInfo Admin = UserInfo.Authenticated("admin", "", ["system:masters"]);

    /// <summary>The middleware; register it before <c>MapApiCache()</c>.</summary>
    public static Task SetCallerAsync(HttpContext context, RequestDelegate next)
    {
        var user = context.Request.Headers.Authorization.ToString() switch
        {
            "Bearer alice-token" => Alice,
            "Bearer node1-token" => Node1,
            "Bearer admin-token" => Admin,
            "Bearer anonymous" => UserInfo.Anonymous,
            _ => null,
        };
        if (user is not null)
        {
            context.Features.Set(new CallerFeature(user, user.IsAnonymous ? "anonymous" : "token"));
        }

        return next(context);
    }
}
