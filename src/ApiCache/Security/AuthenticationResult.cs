namespace ApiCache.Security;

/// <summary>The <see cref="AuthenticationOutcome"/> of one way of authenticating, with the user when it is <see cref="AuthenticationOutcome.Authenticated"/>.</summary>
internal sealed record AuthenticationResult(AuthenticationOutcome Outcome, UserInfo? User = null)
{
    /// <summary>No such credential.</summary>
    public static AuthenticationResult None { get; } = new(AuthenticationOutcome.None);

    /// <summary>An invalid credential.</summary>
    public static AuthenticationResult Rejected { get; } = new(AuthenticationOutcome.Rejected);

    /// <summary>A credential that could not be checked.</summary>
    public static AuthenticationResult Unavailable { get; } = new(AuthenticationOutcome.Unavailable);

    /// <summary>A valid credential of <paramref name="user"/>.</summary>
    public static AuthenticationResult Authenticated(UserInfo user) => new(AuthenticationOutcome.Authenticated, user);
}
