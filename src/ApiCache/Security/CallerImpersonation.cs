using System.Text;
using System.Text.RegularExpressions;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace ApiCache.Security;

/// <summary>
/// Impersonation a caller asks for with <c>Impersonate-User</c>, <c>Impersonate-Group</c> (repeatable),
/// <c>Impersonate-Extra-&lt;key&gt;</c> and <c>Impersonate-Uid</c>, checked as kube-apiserver checks it:
/// each requested attribute is authorized, in that order, as verb <c>impersonate</c> for the caller
/// on <c>users</c> (or <c>serviceaccounts</c> in their namespace, for
/// <c>system:serviceaccount:&lt;ns&gt;:&lt;name&gt;</c>), <c>groups</c> (API group ""),
/// <c>userextras/&lt;key&gt;</c> and <c>uids</c> (API group <c>authentication.k8s.io</c>), named by the
/// requested value. The first denial answers 403 in the apiserver's wording; groups, extra or uid
/// without a user answer 500 as the apiserver does. The impersonated user gets
/// <c>system:authenticated</c> (or, for <c>system:anonymous</c>, <c>system:unauthenticated</c>) unless
/// the requested groups already say; a service account without requested groups gets its fixed
/// groups. The decisions come from the <see cref="IAccessReviewer"/> registered in the services;
/// without one, impersonation is refused (403).
/// </summary>
internal sealed partial class CallerImpersonation(IAccessReviewer? reviewer, ILogger logger)
{
    private const string ServiceAccountPrefix = "system:serviceaccount:";
    private const string AuthenticationGroup = "authentication.k8s.io";
    private const string UnauthenticatedGroup = "system:unauthenticated";

    /// <summary>
    /// The user <paramref name="requestor"/> acts as, after checking that it may; null when the
    /// request has been answered (403, 500). The request keeps its headers (an embedding host may
    /// check them again itself); forwarding never passes them on in authenticating mode.
    /// </summary>
    public async Task<UserInfo?> ApplyAsync(HttpContext context, UserInfo requestor)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requestor);
        var headers = context.Request.Headers;
        var requests = ParseRequests(headers, out var hasUser);
        if (requests.Count == 0)
        {
            // Only empty or unknown Impersonate-* headers: nothing to act as.
            return requestor;
        }

        if (!hasUser)
        {
            await WriteInternalErrorAsync(context, WithoutUserMessage(requests));
            return null;
        }

        var groupsSpecified = headers[IdentityHeaders.ImpersonateGroup].Count > 0;
        var name = "";
        var uid = "";
        var groups = new List<string>();
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var request in requests)
        {
            var attributes = new AccessReviewAttributes
            {
                User = requestor,
                Verb = "impersonate",
                Group = request.Group,
                Version = "v1",
                Resource = request.Resource,
                Subresource = request.Kind == "UserExtra" ? request.FieldPath : "",
                Namespace = request.Namespace,
                Name = request.Name,
            };

            var (allowed, reason) = await AuthorizeAsync(attributes, context.RequestAborted);
            if (!allowed)
            {
                LogDenied(logger, requestor.Name, request.Resource, request.Name);
                await CacheAnswer.WriteErrorAsync(context, ForbiddenStatus.Create(attributes, reason));
                return null;
            }

            switch (request.Kind)
            {
                case "ServiceAccount":
                    name = ServiceAccountPrefix + request.Namespace + ":" + request.Name;
                    if (!groupsSpecified)
                    {
                        groups = ["system:serviceaccounts", "system:serviceaccounts:" + request.Namespace];
                    }

                    break;
                case "User":
                    name = request.Name;
                    break;
                case "Group":
                    groups.Add(request.Name);
                    break;
                case "UserExtra":
                    extra[request.FieldPath] = [.. extra.GetValueOrDefault(request.FieldPath) ?? [], request.Name];
                    break;
                case "UID":
                    uid = request.Name;
                    break;
            }
        }

        if (name != UserInfo.Anonymous.Name)
        {
            if (!groups.Contains(UserInfo.AuthenticatedGroup, StringComparer.Ordinal) && !groups.Contains(UnauthenticatedGroup, StringComparer.Ordinal))
            {
                groups.Add(UserInfo.AuthenticatedGroup);
            }
        }
        else if (!groups.Contains(UnauthenticatedGroup, StringComparer.Ordinal))
        {
            groups.Add(UnauthenticatedGroup);
        }

        LogImpersonating(logger, requestor.Name, name);
        return new UserInfo(name, uid, groups, extra.Count == 0 ? UserInfo.NoExtra : extra);
    }

    /// <summary>The things asked for, in the apiserver's order: user, groups, extra values, uid.</summary>
    private static List<ImpersonationRequest> ParseRequests(IHeaderDictionary headers, out bool hasUser)
    {
        var requests = new List<ImpersonationRequest>();
        var user = headers[IdentityHeaders.ImpersonateUser].FirstOrDefault() ?? "";
        hasUser = user.Length > 0;
        if (hasUser)
        {
            requests.Add(SplitServiceAccount(user) is var (ns, name)
                ? new ImpersonationRequest("ServiceAccount", "", "serviceaccounts", ns, name)
                : new ImpersonationRequest("User", "", "users", "", user));
        }

        foreach (var group in headers[IdentityHeaders.ImpersonateGroup])
        {
            requests.Add(new ImpersonationRequest("Group", "", "groups", "", group ?? ""));
        }

        foreach (var header in headers)
        {
            if (!header.Key.StartsWith(IdentityHeaders.ImpersonateExtraPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var key = IdentityHeaders.UnescapeExtraKey(header.Key[IdentityHeaders.ImpersonateExtraPrefix.Length..]);
            foreach (var value in header.Value)
            {
                requests.Add(new ImpersonationRequest("UserExtra", AuthenticationGroup, "userextras", "", value ?? "", key));
            }
        }

        var uid = headers[IdentityHeaders.ImpersonateUid].FirstOrDefault() ?? "";
        if (uid.Length > 0)
        {
            requests.Add(new ImpersonationRequest("UID", AuthenticationGroup, "uids", "", uid));
        }

        return requests;
    }

    /// <summary>The namespace and name of a service account user name, as the apiserver splits it; null for any other name.</summary>
    private static (string Namespace, string Name)? SplitServiceAccount(string user)
    {
        if (!user.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = user[ServiceAccountPrefix.Length..].Split(':');
        return parts.Length == 2 && parts[0].Length <= 63 && DnsLabel().IsMatch(parts[0]) && parts[1].Length <= 253 && DnsSubdomain().IsMatch(parts[1])
            ? (parts[0], parts[1])
            : null;
    }

    private async Task<(bool Allowed, string Reason)> AuthorizeAsync(AccessReviewAttributes attributes, CancellationToken cancellationToken)
    {
        if (reviewer is null)
        {
            return (false, "ApiCache has no access reviewer to authorize impersonation with");
        }

        try
        {
            var decision = await reviewer.ReviewAsync(attributes, cancellationToken);
            return (decision.Allowed, decision.Reason);
        }
        catch (AccessReviewUnavailableException e)
        {
            LogReviewUnavailable(logger, e.Message);
            return (false, "");
        }
    }

    /// <summary>
    /// When <paramref name="context"/> asks to impersonate groups, extra or a uid without a user,
    /// answers it as the apiserver does (500, <c>requested [...] without impersonating a user</c>,
    /// plain text) and returns true; the dev API server shares this answer.
    /// </summary>
    internal static async Task<bool> RefuseWithoutUserAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var requests = ParseRequests(context.Request.Headers, out var hasUser);
        if (requests.Count == 0 || hasUser)
        {
            return false;
        }

        await WriteInternalErrorAsync(context, WithoutUserMessage(requests));
        return true;
    }

    private static string WithoutUserMessage(List<ImpersonationRequest> requests) =>
        $"requested [{string.Join(" ", requests.Select(r => r.GoString()))}] without impersonating a user";

    /// <summary>The apiserver's <c>responsewriters.InternalError</c>: plain text naming the request URI.</summary>
    private static async Task WriteInternalErrorAsync(HttpContext context, string message)
    {
        var uri = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (context.Request.Path + context.Request.QueryString).ToString();
        var text = $"Internal Server Error: {GoQuote(uri)}: {message}"
            .Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);
        var response = context.Response;
        CacheAnswer.SetAuditId(response);
        response.StatusCode = StatusCodes.Status500InternalServerError;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.XContentTypeOptions = "nosniff";
        await response.WriteAsync(text + "\n", context.RequestAborted);
    }

    private static string GoQuote(string value) => Selectors.GoText.Quote(value);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsSubdomain();

    [LoggerMessage(EventId = 920, Level = LogLevel.Information, Message = "{Requestor} may not impersonate {Resource} {Name}: 403")]
    private static partial void LogDenied(ILogger logger, string requestor, string resource, string name);

    [LoggerMessage(EventId = 921, Level = LogLevel.Debug, Message = "{Requestor} is impersonating {User}")]
    private static partial void LogImpersonating(ILogger logger, string requestor, string user);

    [LoggerMessage(EventId = 922, Level = LogLevel.Warning, Message = "Impersonation could not be authorized ({Reason}); the request is answered 403")]
    private static partial void LogReviewUnavailable(ILogger logger, string reason);

    /// <summary>One thing asked to be impersonated, as the apiserver's <c>ObjectReference</c> names it.</summary>
    private sealed record ImpersonationRequest(string Kind, string Group, string Resource, string Namespace, string Name, string FieldPath = "")
    {
        /// <summary>Go's <c>%v</c> of the ObjectReference (Kind Namespace Name UID APIVersion ResourceVersion FieldPath).</summary>
        public string GoString()
        {
            var apiVersion = Group.Length > 0 ? Group + "/v1" : "";
            return new StringBuilder("{").AppendJoin(' ', Kind, Namespace, Name, "", apiVersion, "", FieldPath).Append('}').ToString();
        }
    }
}
