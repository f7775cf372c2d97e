namespace ApiCache.Informers;

/// <summary>What a <see cref="Reflector"/> is doing, for health and metrics.</summary>
internal enum ReflectorState
{
    /// <summary>Not running: before <see cref="Reflector.RunAsync"/> or after it returned.</summary>
    Stopped,

    /// <summary>Reading the collection page by page.</summary>
    Listing,

    /// <summary>Streaming changes (the cache is in sync up to the last resource version).</summary>
    Watching,

    /// <summary>Waiting before retrying a failed list or watch.</summary>
    Backoff,

    /// <summary>
    /// Stopped caching because the cache went over its byte budget; a fresh list is tried after
    /// <see cref="ReflectorSettings.BudgetRetryDelay"/>.
    /// </summary>
    Failed,
}
