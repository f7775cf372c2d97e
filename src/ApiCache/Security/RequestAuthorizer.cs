using ApiCache.Configuration;
using ApiCache.Requests;
using ApiCache.Selectors;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiCache.Security;

/// <summary>
/// Authorizes what ApiCache answers itself, as the apiserver would before answering: reads served
/// from the cache (with the request's attributes, selectors included when
/// <see cref="CallerAuthorizationOptions.Selectors"/>) and ApiCache's own endpoints (a non-resource
/// review of the path with the lower-cased HTTP method). The caller is the request's
/// <see cref="CallerFeature"/>; a denial is answered with the apiserver's 403 wording
/// (<see cref="ForbiddenStatus"/>).
/// </summary>
internal sealed class RequestAuthorizer(IAccessReviewer reviewer, IOptions<ApiCacheOptions> options, ILogger<RequestAuthorizer> logger)
{
    private readonly SecurityOptions _security = options.Value.Security;

    /// <summary>Whether ApiCache authenticates its callers (a request without a caller is then refused by <see cref="AuthorizeEndpointAsync"/>).</summary>
    public bool Authenticates => _security.Mode == SecurityMode.Authenticate;

    /// <summary>Whether list/watch selectors are sent in reviews.</summary>
    public bool SendsSelectors => _security.Authorization.Selectors;

    /// <summary>
    /// The attributes of a request by <paramref name="user"/> (a read here; the dev server uses it for
    /// every request: non-resource requests get their path, deletecollection its selectors too), as the apiserver's
    /// request info has them (for list/watch a <c>metadata.name=</c> field selector is the name),
    /// plus, when <paramref name="selectors"/>, the list/watch's field and label selector
    /// requirements as its webhook authorizer sends them: operators it cannot express are left
    /// out (requirements only narrow a request), and a selector that does not parse is sent as
    /// none (the read itself answers 400 afterwards).
    /// </summary>
    public static AccessReviewAttributes ForRead(UserInfo user, KubernetesRequestInfo info, IQueryCollection query, bool selectors)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(query);
        if (!info.IsResourceRequest)
        {
            return new AccessReviewAttributes { User = user, Verb = info.Verb, IsResourceRequest = false, Path = info.Path };
        }

        var attributes = new AccessReviewAttributes
        {
            User = user,
            Verb = info.Verb,
            Group = info.ApiGroup,
            Version = info.ApiVersion,
            Resource = info.Resource,
            Subresource = info.Subresource,
            Namespace = info.Namespace,
            Name = info.Name,
            Path = info.Path,
        };
        if (!selectors || info.Verb is not ("list" or "watch" or "deletecollection"))
        {
            return attributes;
        }

        IReadOnlyList<SelectorRequirement> fields = [];
        IReadOnlyList<SelectorRequirement> labels = [];
        if (FieldSelector.TryParse(First(query, "fieldSelector"), out var fieldSelector, out _))
        {
            fields = SelectorRequirement.FromFields(fieldSelector);
        }

        if (LabelSelector.TryParse(First(query, "labelSelector"), out var labelSelector, out _))
        {
            labels = [.. SelectorRequirement.FromLabels(labelSelector).Where(r => r.Operator is "In" or "NotIn" or "Exists" or "DoesNotExist")];
        }

        return attributes with { FieldSelector = fields, LabelSelector = labels };
    }

    /// <summary>The attributes of a non-resource request: its path, and its HTTP method lower-cased as the verb.</summary>
    public static AccessReviewAttributes ForPath(UserInfo user, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(request);
        return new AccessReviewAttributes
        {
            User = user,
            Verb = request.Method.ToLowerInvariant(),
            IsResourceRequest = false,
            Path = request.Path.Value ?? "/",
        };
    }

    /// <summary>
    /// Reviews <paramref name="attributes"/>: allowed, or denied (the 403 written), or unavailable
    /// (nothing written: the caller decides what to do, e.g. forward the request so the upstream
    /// authorizes it).
    /// </summary>
    public async Task<AuthorizationVerdict> AuthorizeAsync(HttpContext context, AccessReviewAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(attributes);
        AccessDecision decision;
        try
        {
            decision = await reviewer.ReviewAsync(attributes, context.RequestAborted);
        }
        catch (AccessReviewUnavailableException e)
        {
            AuthorizationLog.Unavailable(logger, attributes.Verb, context.Request.Path.Value ?? "", attributes.User.Name, e.Message, "left to the upstream");
            return AuthorizationVerdict.Unavailable;
        }

        if (decision.Allowed)
        {
            return AuthorizationVerdict.Allowed;
        }

        AuthorizationLog.Denied(logger, attributes.Verb, context.Request.Path.Value ?? "", attributes.User.Name, decision.Reason);
        await CacheAnswer.WriteErrorAsync(context, ForbiddenStatus.Create(attributes, decision.Reason));
        return AuthorizationVerdict.Denied;
    }

    /// <summary>
    /// Authorizes a request to one of ApiCache's own endpoints: with a caller, a non-resource review
    /// of the request path decides (403 when denied, 503 when no decision could be had); without
    /// one, 401 when ApiCache authenticates (the authentication middleware did not run for it),
    /// else <see cref="EndpointAccess.NoCaller"/> and the endpoint's own rules apply.
    /// </summary>
    public async Task<EndpointAccess> AuthorizeEndpointAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caller = CallerFeature.Get(context);
        if (caller is null)
        {
            if (!Authenticates)
            {
                return EndpointAccess.NoCaller;
            }

            AuthorizationLog.NoCaller(logger, context.Request.Method, context.Request.Path.Value ?? "");
            await CacheAnswer.WriteErrorAsync(context, StatusError.Unauthorized());
            return EndpointAccess.Refused;
        }

        var attributes = ForPath(caller.User, context.Request);
        AccessDecision decision;
        try
        {
            decision = await reviewer.ReviewAsync(attributes, context.RequestAborted);
        }
        catch (AccessReviewUnavailableException e)
        {
            AuthorizationLog.Unavailable(logger, attributes.Verb, attributes.Path, caller.User.Name, e.Message, "answered 503");
            await CacheAnswer.WriteErrorAsync(context, StatusError.ServiceUnavailable("the request could not be authorized: the apiserver did not answer the SubjectAccessReview, please try again later"));
            return EndpointAccess.Refused;
        }

        if (decision.Allowed)
        {
            return EndpointAccess.Allowed;
        }

        AuthorizationLog.Denied(logger, attributes.Verb, attributes.Path, caller.User.Name, decision.Reason);
        await CacheAnswer.WriteErrorAsync(context, ForbiddenStatus.Create(attributes, decision.Reason));
        return EndpointAccess.Refused;
    }

    /// <summary>The first value of a query parameter, as Go's <c>url.Values.Get</c>.</summary>
    private static string? First(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;
}
