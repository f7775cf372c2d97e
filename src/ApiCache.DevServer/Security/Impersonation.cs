using ApiCache.Security;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Security;

/// <summary>
/// kube-apiserver's impersonation: <c>Impersonate-User</c> (a service account's user name becomes
/// a request for <c>serviceaccounts</c> in its namespace), <c>Impersonate-Group</c> (repeatable),
/// <c>Impersonate-Extra-&lt;key&gt;</c> (key lower-cased and percent-decoded) and
/// <c>Impersonate-Uid</c> are each authorized as verb <c>impersonate</c> for the caller on
/// <c>users</c>/<c>serviceaccounts</c>/<c>groups</c> (core group) or <c>userextras/&lt;key&gt;</c>/<c>uids</c>
/// (<c>authentication.k8s.io</c>), name = the value; the first denial answers the apiserver's 403.
/// Without <c>Impersonate-Group</c> a service account gets its two groups; <c>system:authenticated</c>
/// is added unless <c>system:unauthenticated</c> was asked for (the anonymous user gets the latter).
/// </summary>
internal sealed class Impersonation(DevServerAuthorizer authorizer)
{
    private const string UserHeader = "Impersonate-User";
    private const string GroupHeader = "Impersonate-Group";
    private const string UidHeader = "Impersonate-Uid";
    private const string ExtraPrefix = "Impersonate-Extra-";
    private const string ServiceAccountPrefix = "system:serviceaccount:";

    /// <summary>
    /// The user <paramref name="requester"/> acts as: itself when nothing is asked, the impersonated
    /// user when every part is allowed; otherwise the error to answer (400 or 403).
    /// </summary>
    public async ValueTask<(UserInfo? User, StatusError? Error)> ApplyAsync(
        HttpRequest request, UserInfo requester, SecurityPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = request.Headers;
        var name = headers[UserHeader].FirstOrDefault() ?? "";
        var uid = headers[UidHeader].FirstOrDefault() ?? "";
        var groupsSpecified = headers[GroupHeader].Count > 0;
        var extraHeaders = headers
            .Where(h => h.Key.StartsWith(ExtraPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(h => (Key: RequestAuthenticator.ExtraKey(h.Key[ExtraPrefix.Length..]), Values: RequestAuthenticator.Values(h.Value)))
            .OrderBy(h => h.Key, StringComparer.Ordinal)
            .ToList();
        if (name.Length == 0)
        {
            if (!groupsSpecified && extraHeaders.Count == 0 && uid.Length == 0)
            {
                return (requester, null);
            }

            // DevServerSecurityMiddleware answers this first, as the apiserver does (500, plain text);
            // callers that did not are refused here all the same.
            return (null, StatusError.BadRequest("requested impersonation of groups, extra or uid without impersonating a user"));
        }

        var checks = new List<AccessReviewAttributes>();
        var groups = new List<string>();
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (ServiceAccount(name) is { } account)
        {
            checks.Add(Check(requester, "", "serviceaccounts", "", account.Namespace, account.Name));
            if (!groupsSpecified)
            {
                groups.AddRange(["system:serviceaccounts", "system:serviceaccounts:" + account.Namespace]);
            }
        }
        else
        {
            checks.Add(Check(requester, "", "users", "", "", name));
        }

        foreach (var group in RequestAuthenticator.Values(headers[GroupHeader]))
        {
            checks.Add(Check(requester, "", "groups", "", "", group));
            groups.Add(group);
        }

        foreach (var (key, values) in extraHeaders)
        {
            foreach (var value in values)
            {
                checks.Add(Check(requester, "authentication.k8s.io", "userextras", key, "", value));
            }

            extra[key] = values;
        }

        if (uid.Length > 0)
        {
            checks.Add(Check(requester, "authentication.k8s.io", "uids", "", "", uid));
        }

        foreach (var check in checks)
        {
            var decision = await authorizer.AuthorizeAsync(policy, check, cancellationToken);
            if (!decision.Allowed)
            {
                return (null, ForbiddenStatus.Create(check, decision.Reason));
            }
        }

        if (name != UserInfo.Anonymous.Name)
        {
            if (!groups.Contains(UserInfo.AuthenticatedGroup) && !groups.Contains("system:unauthenticated"))
            {
                groups.Add(UserInfo.AuthenticatedGroup);
            }
        }
        else if (!groups.Contains("system:unauthenticated"))
        {
            groups.Add("system:unauthenticated");
        }

        return (new UserInfo(name, uid, groups, extra.Count > 0 ? extra : UserInfo.NoExtra), null);
    }

    private static AccessReviewAttributes Check(UserInfo requester, string group, string resource, string subresource, string @namespace, string name) => new()
    {
        User = requester,
        Verb = "impersonate",
        Group = group,
        Version = "v1",
        Resource = resource,
        Subresource = subresource,
        Namespace = @namespace,
        Name = name,
    };

    /// <summary>The namespace and name of a service account's user name (<c>system:serviceaccount:ns:name</c>).</summary>
    private static (string Namespace, string Name)? ServiceAccount(string user)
    {
        if (!user.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = user[ServiceAccountPrefix.Length..].Split(':');
        return parts is [{ Length: > 0 } ns, { Length: > 0 } account] ? (ns, account) : null;
    }
}
