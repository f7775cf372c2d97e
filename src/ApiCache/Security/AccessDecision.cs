namespace ApiCache.Security;

/// <summary>
/// An authorizer's answer, as a SubjectAccessReview's status carries it: allowed, or not (with
/// <see cref="Denied"/> when the authorizer denied outright rather than having no opinion), and
/// the reason, which the apiserver appends to its 403 message.
/// </summary>
internal sealed record AccessDecision(bool Allowed, bool Denied = false, string Reason = "", string EvaluationError = "")
{
    /// <summary>Allowed, without a reason.</summary>
    public static AccessDecision Allow { get; } = new(true);

    /// <summary>No opinion (not allowed), without a reason.</summary>
    public static AccessDecision NoOpinion { get; } = new(false);
}
