namespace ApiCache.Security;

/// <summary>A SubjectAccessReview or TokenReview could not be had from the upstream (it failed, timed out or answered with an error).</summary>
internal sealed class AccessReviewUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AccessReviewUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public AccessReviewUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public AccessReviewUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
