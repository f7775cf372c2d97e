namespace ApiCache.Consistency.Etcd;

/// <summary>
/// What one etcd lookup learned for a key prefix, shared by every read it serves (each with its
/// own cache revision, all at or above the lookup's start).
/// </summary>
/// <param name="Current">etcd's revision, from a quorum read made after every served read arrived.</param>
/// <param name="LastChange">
/// The last revision at or before <paramref name="Current"/> that changed a key under the prefix,
/// or the lookup's start revision when none did after it (so only meaningful for caches at or past
/// that start).
/// </param>
/// <param name="Exact">
/// False when the changes could not be learned (the start revision was compacted, or the gap was
/// too long to replay): a read must then wait for <paramref name="Current"/> itself.
/// </param>
internal readonly record struct EtcdLookupResult(long Current, long LastChange, bool Exact)
{
    /// <summary>The target of a read whose cache was at <paramref name="cachedRevision"/> when it arrived.</summary>
    public RevisionTarget For(long cachedRevision)
    {
        // A cache ahead of the quorum read (another member answered it later) is never asked to go back.
        var current = Math.Max(Current, cachedRevision);
        return Exact
            ? new RevisionTarget(Math.Max(LastChange, cachedRevision), current)
            : new RevisionTarget(current, current);
    }
}
