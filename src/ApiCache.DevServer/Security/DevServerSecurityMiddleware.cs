using ApiCache.Security;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Security;

/// <summary>
/// Authenticates and authorizes every request before anything else answers it (the API endpoints,
/// discovery, health, an embedded cache): 401 for bad credentials (or none, when anonymous
/// requests are off), 500 for impersonation of groups, extra or a uid without a user (as the
/// apiserver's InternalError), 400/403 for impersonation that is malformed or not allowed, 403 with the
/// apiserver's wording when the (effective) user may not do what the request asks — before any
/// existence check, so a forbidden missing object is 403, not 404. The caller is left on
/// <see cref="CallerFeature"/> for the handlers (self reviews).
/// </summary>
internal sealed class DevServerSecurityMiddleware(RequestDelegate next, DevServerSecurity security)
{
    /// <summary>Checks the request, then hands it on.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var policy = security.Policy;
        var caller = security.Authenticator.Authenticate(context, policy);
        if (caller is null)
        {
            await RefuseAsync(context, StatusError.Unauthorized());
            return;
        }

        // Groups, extra or a uid without a user: the apiserver's 500 (plain text), as the proxy answers it.
        if (await CallerImpersonation.RefuseWithoutUserAsync(context))
        {
            return;
        }

        var (user, invalid) = await security.Impersonation.ApplyAsync(context.Request, caller.User, policy, context.RequestAborted);
        if (user is null)
        {
            await RefuseAsync(context, invalid!);
            return;
        }

        context.Features.Set(ReferenceEquals(user, caller.User) ? caller : new CallerFeature(user, caller.AuthenticatedBy));
        var attributes = RequestAttributes.From(context.Request, user);
        var decision = await security.Authorizer.AuthorizeAsync(policy, attributes, context.RequestAborted);
        if (!decision.Allowed)
        {
            await RefuseAsync(context, ForbiddenStatus.Create(attributes, decision.Reason));
            return;
        }

        await next(context);
    }

    private static Task RefuseAsync(HttpContext context, StatusError error)
    {
        context.Response.Headers["Audit-Id"] = Guid.NewGuid().ToString();
        return StatusWriter.WriteAsync(context.Response, error, context.RequestAborted);
    }
}
