namespace ApiCache.Consistency;

/// <summary>What a consistent read may do after <see cref="ConsistentReadCoordinator.WaitForCurrentAsync"/>.</summary>
internal enum ConsistencyOutcome
{
    /// <summary>The cache was fresh at once: answer from it.</summary>
    Fresh,

    /// <summary>The cache became fresh while the read waited: answer from it.</summary>
    AfterWait,

    /// <summary>The cache did not become fresh in time (or the revision source failed): fall back.</summary>
    Behind,
}
