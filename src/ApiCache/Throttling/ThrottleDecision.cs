namespace ApiCache.Throttling;

/// <summary>What throttling decided for a request (the <c>decision</c> label).</summary>
internal enum ThrottleDecision
{
    /// <summary>The request went on.</summary>
    Allowed,

    /// <summary>A rule refused it (its <c>rule</c> label names which).</summary>
    Rejected,

    /// <summary>The global in-flight limit of its kind was reached.</summary>
    RejectedInflight,
}
