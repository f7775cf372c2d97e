using ApiCache.Storage;

namespace ApiCache.Informers;

/// <summary>
/// Where a <c>Reflector</c> delivers what it reads from the upstream: the watch cache.
/// Calls come from one reflector loop at a time, in upstream order.
/// </summary>
internal interface IReflectorSink
{
    /// <summary>
    /// A (re-)list finished: the complete state of the resource at <paramref name="resourceVersion"/>.
    /// The first call makes the cache ready; later calls replace the state and emit the difference as events.
    /// </summary>
    /// <exception cref="CacheBudgetExceededException">The new state does not fit the byte budget.</exception>
    void Replace(IReadOnlyList<CachedObject> items, long resourceVersion, ListTypeInfo typeInfo);

    /// <summary>One watch event (ADDED, MODIFIED or DELETED) at the object's resource version.</summary>
    /// <exception cref="CacheBudgetExceededException">Applying it would exceed the byte budget.</exception>
    void Apply(WatchEventType type, CachedObject cachedObject);

    /// <summary>A BOOKMARK: the resource has reached <paramref name="resourceVersion"/> with no further change.</summary>
    void Progress(long resourceVersion);

    /// <summary>The reflector is about to re-list (after 410 Expired or a decode error): the cache is not ready until the next <see cref="Replace"/>.</summary>
    void RelistStarting(RelistReason reason);
}
