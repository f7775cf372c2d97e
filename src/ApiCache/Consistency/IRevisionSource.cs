namespace ApiCache.Consistency;

/// <summary>
/// Tells a consistent read (resourceVersion unset) how far a resource's cache must have advanced
/// to answer as freshly as a quorum read from etcd would now. The default asks the upstream
/// apiserver (<c>GET &lt;collection&gt;?limit=1</c>, coalesced); an etcd source and sources
/// supplied by hosts that own their store are exact. Register an implementation as a singleton
/// after <c>AddApiCache()</c> to replace the configured one.
/// </summary>
public interface IRevisionSource
{
    /// <summary>
    /// Learns the current revision and which revision the cache must reach to reflect it.
    /// </summary>
    /// <param name="resource">The cached resource being read.</param>
    /// <param name="cachedRevision">The cache's revision when the read arrived.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    /// <returns>
    /// The target: wait until the cache has reached <see cref="RevisionTarget.WaitFor"/>; from then
    /// on its state equals the state at <see cref="RevisionTarget.Current"/>.
    /// </returns>
    ValueTask<RevisionTarget> GetTargetAsync(CachedResourceReference resource, long cachedRevision, CancellationToken cancellationToken);
}
