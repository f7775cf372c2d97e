namespace ApiCache.Consistency;

/// <summary>
/// What a consistent read waits for. An inexact source (a quorum probe) knows only the current
/// revision, so <see cref="WaitFor"/> equals <see cref="Current"/>; an exact source knows the last
/// revision at or before <see cref="Current"/> that changed the resource, which may be far older.
/// </summary>
/// <param name="WaitFor">The revision the cache must have reached before it may answer.</param>
/// <param name="Current">
/// The current revision: once the cache has reached <paramref name="WaitFor"/>, nothing about the
/// resource changed up to this revision, so the answer may carry it as its resourceVersion.
/// </param>
public readonly record struct RevisionTarget(long WaitFor, long Current);
