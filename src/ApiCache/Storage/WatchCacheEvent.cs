namespace ApiCache.Storage;

/// <summary>
/// One change recorded by the watch cache, kept in the event history so watches can resume and
/// past states can be rebuilt. Immutable. For <see cref="WatchEventType.Deleted"/> the object is the
/// final state stamped with the deletion's resource version (as the apiserver sends it).
/// </summary>
/// <param name="Type">What happened.</param>
/// <param name="Object">The object after the change (for deletes: its last state, at <paramref name="ResourceVersion"/>).</param>
/// <param name="Previous">The object before the change; null for <see cref="WatchEventType.Added"/>.</param>
/// <param name="ResourceVersion">The revision of the change.</param>
/// <param name="Timestamp">When the cache recorded it, from <see cref="TimeProvider.GetUtcNow"/>.</param>
internal sealed record WatchCacheEvent(
    WatchEventType Type,
    CachedObject Object,
    CachedObject? Previous,
    long ResourceVersion,
    DateTimeOffset Timestamp);
