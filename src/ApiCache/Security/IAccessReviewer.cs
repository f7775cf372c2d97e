namespace ApiCache.Security;

/// <summary>Decides whether a user may do something: the proxy asks the upstream with a SubjectAccessReview.</summary>
internal interface IAccessReviewer
{
    /// <summary>
    /// The decision for <paramref name="attributes"/>. Throws <see cref="AccessReviewUnavailableException"/>
    /// when no decision could be had (the upstream failed or answered with an error).
    /// </summary>
    ValueTask<AccessDecision> ReviewAsync(AccessReviewAttributes attributes, CancellationToken cancellationToken);
}
