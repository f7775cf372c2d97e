namespace ApiCache.Security;

/// <summary>
/// Who a caller is, as the apiserver's <c>user.Info</c>: name, uid, groups (in order) and extra
/// attributes. Authenticated users carry <c>system:authenticated</c> among their groups; the
/// anonymous user is <c>system:anonymous</c> in <c>system:unauthenticated</c>.
/// </summary>
internal sealed record UserInfo(string Name, string Uid, IReadOnlyList<string> Groups, IReadOnlyDictionary<string, IReadOnlyList<string>> Extra)
{
    /// <summary>The group every authenticated user is in.</summary>
    public const string AuthenticatedGroup = "system:authenticated";

    /// <summary>No extra attributes.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoExtra = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The user of requests without credentials.</summary>
    public static UserInfo Anonymous { get; } = new("system:anonymous", "", ["system:unauthenticated"], NoExtra);

    /// <summary>An authenticated user: <paramref name="groups"/> plus <c>system:authenticated</c> when missing, as the apiserver adds it.</summary>
    public static UserInfo Authenticated(string name, string uid, IEnumerable<string> groups, IReadOnlyDictionary<string, IReadOnlyList<string>>? extra = null)
    {
        var list = groups.ToList();
        if (!list.Contains(AuthenticatedGroup, StringComparer.Ordinal))
        {
            list.Add(AuthenticatedGroup);
        }

        return new UserInfo(name, uid, list, extra ?? NoExtra);
    }

    /// <summary>Whether this is the anonymous user.</summary>
    public bool IsAnonymous => Name == Anonymous.Name;
}
