using ApiCache.Configuration;
using ApiCache.Requests;
using ApiCache.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace ApiCache.Forwarding;

/// <summary>
/// Makes forwarding transparent: YARP's default header copying (hop-by-hop headers dropped,
/// everything else kept, no X-Forwarded-* added) and the request target exactly as the client sent
/// it (path escaping and query untouched); only identity headers are rewritten. A caller's
/// <c>X-Remote-*</c> headers never pass. Authenticating (<see cref="SecurityMode.Authenticate"/>),
/// the caller's <c>Authorization</c> and <c>Impersonate-*</c> headers are dropped and the
/// authenticated caller (<see cref="CallerFeature"/>) is sent as <c>Impersonate-User</c>,
/// <c>Impersonate-Uid</c> (when it has one), one <c>Impersonate-Group</c> per group and
/// <c>Impersonate-Extra-&lt;percent-encoded key&gt;</c> per value, or, in front-proxy mode, as
/// <c>X-Remote-User</c>, <c>X-Remote-Group</c> and <c>X-Remote-Extra-&lt;key&gt;</c>. Trusted, the
/// caller's <c>Authorization</c> and <c>Impersonate-*</c> headers pass only to an endpoint ApiCache
/// has no credentials of its own for (the upstream then checks them against the caller); otherwise
/// they are dropped, so no caller borrows ApiCache's identity to impersonate.
/// </summary>
internal sealed class ForwardingTransformer(SecurityOptions security) : HttpTransformer
{
    private static readonly UriCreationOptions VerbatimUri = new() { DangerousDisablePathAndQueryCanonicalization = true };

    private readonly bool _authenticate = security.Mode == SecurityMode.Authenticate;
    private readonly bool _frontProxy = security.Forwarding.Mode == IdentityForwardingMode.FrontProxy;

    /// <inheritdoc/>
    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext,
        HttpRequestMessage proxyRequest,
        string destinationPrefix,
        CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        var rawTarget = httpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (!string.IsNullOrEmpty(rawTarget) && rawTarget[0] == '/' && httpContext.Request.PathBase.Value is null or "")
        {
            proxyRequest.RequestUri = new Uri(destinationPrefix + rawTarget, in VerbatimUri);
        }

        var headers = proxyRequest.Headers;
        IdentityHeaders.RemovePrefixed(headers, IdentityHeaders.RemotePrefix);
        if (_authenticate)
        {
            headers.Authorization = null;
            IdentityHeaders.RemovePrefixed(headers, IdentityHeaders.ImpersonatePrefix);
            if (CallerFeature.Get(httpContext) is { } caller)
            {
                AddIdentity(httpContext, proxyRequest, caller.User);
            }
        }
        else if (httpContext.Features.GetRequiredFeature<ForwardingFeature>().Endpoint.HasOwnCredentials)
        {
            headers.Authorization = null;
            IdentityHeaders.RemovePrefixed(headers, IdentityHeaders.ImpersonatePrefix);
        }
    }

    /// <summary>
    /// Sends <paramref name="user"/> as impersonation or front-proxy headers, one line per group and
    /// extra value (<see cref="RepeatedHeaders"/>: over HTTP/1.1 when a header needs several lines).
    /// </summary>
    private void AddIdentity(HttpContext httpContext, HttpRequestMessage proxyRequest, UserInfo user)
    {
        var headers = proxyRequest.Headers;
        var (userHeader, groupHeader, extraPrefix) = _frontProxy
            ? (IdentityHeaders.RemoteUser, IdentityHeaders.RemoteGroup, IdentityHeaders.RemoteExtraPrefix)
            : (IdentityHeaders.ImpersonateUser, IdentityHeaders.ImpersonateGroup, IdentityHeaders.ImpersonateExtraPrefix);
        headers.TryAddWithoutValidation(userHeader, user.Name);
        if (!_frontProxy && user.Uid.Length > 0)
        {
            headers.TryAddWithoutValidation(IdentityHeaders.ImpersonateUid, user.Uid);
        }

        var repeated = RepeatedHeaders.Add(headers, groupHeader, GroupsToSend(user));
        foreach (var (key, values) in user.Extra)
        {
            repeated |= RepeatedHeaders.Add(headers, extraPrefix + IdentityHeaders.EscapeExtraKey(key), values);
        }

        if (repeated && proxyRequest.Version.Major >= 2 && !IsUpgrade(httpContext))
        {
            proxyRequest.Version = System.Net.HttpVersion.Version11;
            proxyRequest.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        }
    }

    /// <summary>
    /// The groups to send: the upstream adds <c>system:authenticated</c> to an authenticated user
    /// itself (and, impersonating, <c>system:unauthenticated</c> to the anonymous user and the fixed
    /// groups to a service account named without groups), so those are left out; usually that leaves
    /// one group at most, which keeps the request on HTTP/2.
    /// </summary>
    private List<string> GroupsToSend(UserInfo user)
    {
        const string Unauthenticated = "system:unauthenticated";
        var groups = user.Groups.ToList();
        if (user.IsAnonymous)
        {
            if (!_frontProxy)
            {
                groups.Remove(Unauthenticated);
            }

            return groups;
        }

        if (!groups.Contains(Unauthenticated, StringComparer.Ordinal))
        {
            groups.RemoveAll(static g => g == UserInfo.AuthenticatedGroup);
        }

        const string ServiceAccountPrefix = "system:serviceaccount:";
        if (!_frontProxy && user.Name.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal)
            && user.Name[ServiceAccountPrefix.Length..].Split(':') is [var ns, _]
            && groups.Count == 2 && groups.Contains("system:serviceaccounts", StringComparer.Ordinal)
            && groups.Contains("system:serviceaccounts:" + ns, StringComparer.Ordinal))
        {
            groups.Clear();
        }

        return groups;
    }

    private static bool IsUpgrade(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
        || context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true };

    /// <inheritdoc/>
    public override async ValueTask<bool> TransformResponseAsync(
        HttpContext httpContext,
        HttpResponseMessage? proxyResponse,
        CancellationToken cancellationToken)
    {
        // A 429 that is retried on another endpoint is dropped here, before anything reaches the client.
        if (proxyResponse is not null && !httpContext.Features.GetRequiredFeature<ForwardingFeature>().ResponseHeadersReceived(proxyResponse))
        {
            return false;
        }

        var copyBody = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (copyBody && proxyResponse is { StatusCode: System.Net.HttpStatusCode.OK }
            && RequestInfoFeature.Get(httpContext).Verb == "watch")
        {
            // The apiserver sends a watch's 200 and headers at once (fixtures README, "Watch framing");
            // without this they would wait for the first event, and a client of a quiet resource would hang.
            await httpContext.Response.StartAsync(cancellationToken);
            await httpContext.Response.Body.FlushAsync(cancellationToken);
        }

        return copyBody;
    }
}
