namespace ApiCache.Configuration;

/// <summary>
/// How consistent reads (LIST or GET without resourceVersion) are served from the cache, bound
/// from <c>ApiCache:ConsistentReads</c>: where the current revision comes from, how long a read may
/// wait for the cache to reach it, and what happens when it does not in time.
/// </summary>
public sealed class ConsistentReadOptions
{
    /// <summary>Where the current revision comes from. A host that registers its own <see cref="Consistency.IRevisionSource"/> overrides this.</summary>
    public RevisionSourceKind Source { get; set; } = RevisionSourceKind.QuorumProbe;

    /// <summary>How long a read waits for the cache to reach the current revision before it falls back.</summary>
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>What a read that waited in vain gets: forwarded upstream (default) or 429.</summary>
    public ConsistentReadFallback Fallback { get; set; } = ConsistentReadFallback.Forward;

    /// <summary>How many fallback reads may be forwarded upstream at once; past it they get 429.</summary>
    public int MaxConcurrentFallbacks { get; set; } = 16;

    /// <summary>The Retry-After, in seconds, of a 429 answered instead of a fallback (and while the cache warms).</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>The etcd cluster read by <see cref="RevisionSourceKind.Etcd"/>.</summary>
    public EtcdRevisionSourceOptions Etcd { get; set; } = new();
}
