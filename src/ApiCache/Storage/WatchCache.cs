using ApiCache.Caching;
using ApiCache.Informers;
using Microsoft.Extensions.Logging;

namespace ApiCache.Storage;

/// <summary>
/// The cache of one resource, as the upstream's <c>watchCache</c>: the current objects with their
/// indexes, a bounded history of recent events, the resource version the cache has reached, and
/// waiters for a resource version. Fed by one <see cref="Reflector"/> (the only writer) through
/// <see cref="IReflectorSink"/>; read concurrently by list, get and watch serving.
/// </summary>
/// <remarks>
/// Invariants: all state changes happen under the write lock and in upstream order; the resource
/// version never decreases; every change to the store is also an event in the history (re-lists
/// included, as the difference between the old and new state), so a watcher following the history
/// sees every state the store went through. Readers hold the read lock only while collecting object
/// references; bytes are written to clients outside the lock.
/// </remarks>
internal sealed partial class WatchCache : IReflectorSink, IDisposable
{
    private static readonly StoreQuery Everything = new();

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly ObjectStore _store;
    private readonly EventHistory _history;
    private readonly FreshnessWaiters _waiters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private TaskCompletionSource? _changed;
    private long _resourceVersion;

    /// <summary>True when <see cref="_resourceVersion"/> came from a watch event (more events at that version may follow), false when from a list or bookmark (complete up to it).</summary>
    private bool _versionFromEvent;
    private long _lastProgressTimestamp;
    private bool _ready;
    private bool _listed;
    private ListTypeInfo? _typeInfo;
    private long _eventsApplied;

    /// <summary>Counts resets of the history (first list, a list older than the cache, the budget): a follower from before a reset has lost events.</summary>
    private long _historyEpoch;

    /// <summary>Counts changes to the store (under the write lock), so a re-list difference computed under the read lock can tell whether it still applies.</summary>
    private long _generation;

    public WatchCache(CachedResourceDefinition definition, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        Definition = definition;
        _time = time;
        _logger = logger;
        _store = new ObjectStore(definition.Schema);
        _history = new EventHistory(definition.HistoryMaxEvents, definition.HistoryWindow, time);
        _waiters = new FreshnessWaiters(time);
        _lastProgressTimestamp = time.GetTimestamp();
    }

    /// <summary>The resource this cache holds.</summary>
    public CachedResourceDefinition Definition { get; }

    /// <summary>True once the first list has been stored, and again after each re-list; false while (re-)listing.</summary>
    public bool IsReady => Volatile.Read(ref _ready);

    /// <summary>The resource version the cache has reached (events and bookmarks included); 0 before the first list.</summary>
    public long ResourceVersion => Volatile.Read(ref _resourceVersion);

    /// <summary>What the lists said about the type (kind, apiVersion, whether items carry them); null before the first list.</summary>
    public ListTypeInfo? TypeInfo => Volatile.Read(ref _typeInfo);

    /// <summary>Objects held now.</summary>
    public int Count => ReadLocked(static store => store.Count);

    /// <summary>Bytes the objects held now keep alive (JSON, metadata, indexes), as counted against the budget.</summary>
    public long Bytes => ReadLocked(static store => store.Bytes);

    /// <summary>Events in the history now (the history locks for itself).</summary>
    public int HistoryCount => _history.Count;

    /// <summary>Bytes kept alive only by the history (older versions of objects), an upper bound.</summary>
    public long HistoryBytes => _history.Bytes;

    /// <summary>Changes applied so far (watch events and re-list differences).</summary>
    public long EventsApplied => Interlocked.Read(ref _eventsApplied);

    /// <summary>Time since the cache last heard from the upstream (an event, a bookmark or a list).</summary>
    public TimeSpan SinceLastProgress => _time.GetElapsedTime(Interlocked.Read(ref _lastProgressTimestamp));

    /// <summary>
    /// Completes true once the cache has reached <paramref name="resourceVersion"/> (at once if it
    /// has), false when <paramref name="timeout"/> passes first. Woken by events and bookmarks; no polling.
    /// </summary>
    public ValueTask<bool> WaitUntilFreshAsync(long resourceVersion, TimeSpan timeout, CancellationToken cancellationToken) =>
        _waiters.WaitAsync(resourceVersion, timeout, cancellationToken);

    /// <summary>A task that completes at the next change or progress after this call (for loops that follow the history).</summary>
    public Task NextChangeAsync(CancellationToken cancellationToken)
    {
        // The signal exists only while someone waits, so applying events allocates nothing for it otherwise.
        var signal = Volatile.Read(ref _changed);
        if (signal is null)
        {
            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            signal = Interlocked.CompareExchange(ref _changed, created, null) ?? created;
        }

        return signal.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Records that the resource is known (from an exact revision source) not to have changed after
    /// the cache's version up to <paramref name="resourceVersion"/>: the cache moves there, as on a
    /// bookmark, so reads answer with that version and waiters for it wake. Ignored before the first
    /// list and for versions the cache has passed.
    /// </summary>
    public void NoteFreshAt(long resourceVersion)
    {
        if (IsReady && resourceVersion > ResourceVersion)
        {
            ((IReflectorSink)this).Progress(resourceVersion);
        }
    }

    /// <summary>The current object with this key, or null.</summary>
    public CachedObject? Get(ObjectKey key)
    {
        _lock.EnterReadLock();
        try
        {
            return _store.Get(key);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Every event after <paramref name="resourceVersion"/>, in order, appended to <paramref name="into"/>;
    /// false when that version is older than the history (or inside a re-list gap): the caller answers 410 Expired.
    /// </summary>
    public bool TryGetEventsSince(long resourceVersion, List<WatchCacheEvent> into)
    {
        _lock.EnterReadLock();
        try
        {
            return _history.TryGetEventsSince(resourceVersion, into);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Where a follower of the history stands against the current state, read together: the sequence
    /// the next event will get, the version the cache has reached (every event at or below it has a
    /// smaller sequence) and the history's epoch (it changes when the history is reset).
    /// </summary>
    public HistoryPosition Position
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return new HistoryPosition(_history.NextSequence, _resourceVersion, _historyEpoch);
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Which history the cache keeps now: changes whenever the history is reset (see <see cref="HistoryPosition.Epoch"/>).</summary>
    public long HistoryEpoch => Interlocked.Read(ref _historyEpoch);

    /// <summary>The sequence of the oldest event kept; a follower below it has been overtaken.</summary>
    public long OldestSequence => _history.OldestSequence;

    /// <summary>The event with this sequence, when it is kept (see <see cref="EventHistory.TryRead"/>).</summary>
    public bool TryReadEvent(long sequence, out WatchCacheEvent e) => _history.TryRead(sequence, out e);

    /// <summary>
    /// Where a watch resuming after <paramref name="resourceVersion"/> starts following the history;
    /// false when that version is too old (below the history or inside a re-list gap), with the oldest
    /// version it could resume from instead.
    /// </summary>
    public bool TryGetWatchStart(long resourceVersion, out HistoryPosition start, out long oldestResumable)
    {
        _lock.EnterReadLock();
        try
        {
            var found = _history.TryGetResumeSequence(resourceVersion, out var sequence, out oldestResumable);
            start = new HistoryPosition(sequence, resourceVersion, _historyEpoch);
            return found && _listed;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// As <see cref="Query(StoreQuery, List{CachedObject}, out long)"/>, also giving the history
    /// position of that state: a watch that sends these objects follows the history from there.
    /// </summary>
    public StoreQueryResult QueryWithPosition(StoreQuery query, List<CachedObject> results, out HistoryPosition position)
    {
        ArgumentNullException.ThrowIfNull(query);
        _lock.EnterReadLock();
        try
        {
            position = new HistoryPosition(_history.NextSequence, _resourceVersion, _historyEpoch);
            return _store.Query(query with { Overlay = null }, results);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Runs <paramref name="query"/> against the current state: matching objects, in key order, are
    /// added to <paramref name="results"/>; <paramref name="resourceVersion"/> is the version they are at.
    /// </summary>
    public StoreQueryResult Query(StoreQuery query, List<CachedObject> results, out long resourceVersion)
    {
        ArgumentNullException.ThrowIfNull(query);
        _lock.EnterReadLock();
        try
        {
            resourceVersion = _resourceVersion;
            return _store.Query(query with { Overlay = null }, results);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Runs <paramref name="query"/> against the state at <paramref name="resourceVersion"/> (pinned
    /// pagination, Exact reads); false when the history does not cover that version or it is newer
    /// than the cache.
    /// </summary>
    public bool TryQueryAt(long resourceVersion, StoreQuery query, List<CachedObject> results, out StoreQueryResult result)
    {
        ArgumentNullException.ThrowIfNull(query);
        _lock.EnterReadLock();
        try
        {
            result = default;
            if (resourceVersion > _resourceVersion || !_listed)
            {
                return false;
            }

            StateOverlay? overlay = null;
            if (resourceVersion < _resourceVersion && !_history.TryBuildOverlay(resourceVersion, out overlay))
            {
                return false;
            }

            result = _store.Query(query with { Overlay = overlay is { Count: > 0 } ? overlay : null }, results);
            return true;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Every current object in key order; <paramref name="resourceVersion"/> is the version they are at.</summary>
    public List<CachedObject> Snapshot(out long resourceVersion)
    {
        var objects = new List<CachedObject>();
        Query(Everything, objects, out resourceVersion);
        return objects;
    }

    /// <summary>Every object as it was at <paramref name="resourceVersion"/>, in key order; false when the history does not cover it.</summary>
    public bool TrySnapshotAt(long resourceVersion, out List<CachedObject> objects)
    {
        objects = [];
        return TryQueryAt(resourceVersion, Everything, objects, out _);
    }

    /// <inheritdoc/>
    void IReflectorSink.Replace(IReadOnlyList<CachedObject> items, long resourceVersion, ListTypeInfo typeInfo)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(typeInfo);

        // The comparison with the current state is the long part of a re-list (every item against the
        // store): done under the read lock, so readers go on meanwhile. The reflector is the only
        // writer, so the store is still in that state when the write lock is taken; the generation
        // check below recomputes the difference should anything have changed it in between.
        var listBytes = ListBytes(items);
        RelistDifference? difference = null;
        if (Volatile.Read(ref _listed))
        {
            _lock.EnterReadLock();
            try
            {
                difference = _listed ? ComputeDifference(items) : null;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }

        _lock.EnterWriteLock();
        try
        {
            CheckBudget(listBytes);
            var previous = _typeInfo;
            _typeInfo = typeInfo.ItemsCarryTypeMeta is null && previous?.ItemsCarryTypeMeta is bool known
                ? typeInfo with { ItemsCarryTypeMeta = known }
                : typeInfo;
            if (!_listed)
            {
                foreach (var item in items)
                {
                    _store.Upsert(item);
                }

                _history.Reset(resourceVersion);
                _historyEpoch++;
                _listed = true;
            }
            else
            {
                if (difference is null || difference.Generation != _generation)
                {
                    difference = ComputeDifference(items);
                }

                ReplaceWithDifference(items, difference, resourceVersion);
            }

            _generation++;

            if (resourceVersion >= _resourceVersion)
            {
                _resourceVersion = resourceVersion;
                _versionFromEvent = false;
            }

            _ready = true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        Progressed();
    }

    /// <inheritdoc/>
    void IReflectorSink.Apply(WatchEventType type, CachedObject cachedObject)
    {
        ArgumentNullException.ThrowIfNull(cachedObject);
        _lock.EnterWriteLock();
        try
        {
            if (IsStale(cachedObject))
            {
                LogStaleEvent(_logger, Definition.DisplayName, type, cachedObject.Key.ToString(), cachedObject.ResourceVersion, _resourceVersion);
                return;
            }

            var previous = _store.Get(cachedObject.Key);
            if (type == WatchEventType.Deleted)
            {
                _store.Remove(cachedObject.Key);
            }
            else
            {
                CheckBudget(_store.Bytes - (previous is null ? 0 : _store.EstimatedBytes(previous)) + _store.EstimatedBytes(cachedObject));
                _store.Upsert(cachedObject);
                type = previous is null ? WatchEventType.Added : WatchEventType.Modified;
            }

            _generation++;
            _history.Append(new WatchCacheEvent(type, cachedObject, previous, cachedObject.ResourceVersion, _time.GetUtcNow()));
            _resourceVersion = cachedObject.ResourceVersion;
            _versionFromEvent = true;
            _eventsApplied++;
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        Progressed();
    }

    /// <inheritdoc/>
    void IReflectorSink.Progress(long resourceVersion)
    {
        _lock.EnterWriteLock();
        try
        {
            if (resourceVersion >= _resourceVersion)
            {
                _resourceVersion = resourceVersion;
                _versionFromEvent = false;
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        Progressed();
    }

    /// <inheritdoc/>
    void IReflectorSink.RelistStarting(RelistReason reason)
    {
        if (reason != RelistReason.Initial)
        {
            Volatile.Write(ref _ready, false);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _waiters.Close();
        _lock.Dispose();
    }

    /// <summary>
    /// What a re-list changes: the listed objects that are new or differ from the cached ones (sorted by
    /// their own resource versions, then keys), and the cached objects the list no longer has (in key
    /// order). Only reads the store: run under the read lock; <see cref="RelistDifference.Generation"/>
    /// says which state it was computed against.
    /// </summary>
    private RelistDifference ComputeDifference(IReadOnlyList<CachedObject> items)
    {
        var now = _time.GetUtcNow();
        var present = new HashSet<ObjectKey>(items.Count);
        var changes = new List<WatchCacheEvent>();
        foreach (var item in items)
        {
            present.Add(item.Key);
            var current = _store.Get(item.Key);
            if (current is null)
            {
                changes.Add(new WatchCacheEvent(WatchEventType.Added, item, null, item.ResourceVersion, now));
            }
            else if (current.ResourceVersion != item.ResourceVersion || !current.Json.AsSpan().SequenceEqual(item.Json))
            {
                changes.Add(new WatchCacheEvent(WatchEventType.Modified, item, current, item.ResourceVersion, now));
            }
        }

        changes.Sort(static (a, b) => a.ResourceVersion != b.ResourceVersion
            ? a.ResourceVersion.CompareTo(b.ResourceVersion)
            : a.Object.Key.CompareTo(b.Object.Key));
        var deletions = new List<CachedObject>();
        foreach (var current in _store.All)
        {
            if (!present.Contains(current.Key))
            {
                deletions.Add(current);
            }
        }

        return new RelistDifference(changes, deletions, now, Volatile.Read(ref _generation));
    }

    /// <summary>
    /// Applies a re-list as ordinary events: objects that appeared are ADDED and changed ones MODIFIED
    /// (in the order of their own resource versions, so clients' versions only move forward), then
    /// objects that vanished are DELETED at the list's version, their last state stamped with it.
    /// States between the old cache version and the list version were never seen: the history marks
    /// them as a gap (resuming inside it is 410, before it replays these events). Under the write lock,
    /// with <paramref name="difference"/> computed against the current state.
    /// </summary>
    private void ReplaceWithDifference(IReadOnlyList<CachedObject> items, RelistDifference difference, long listVersion)
    {
        var oldVersion = _resourceVersion;
        var now = difference.Now;
        var changes = difference.Changes;
        var deletions = difference.Deletions;
        if (listVersion <= oldVersion)
        {
            if (changes.Count + deletions.Count == 0)
            {
                // Nothing the cache does not hold already (e.g. a re-list after a decode error with no
                // write since): the history still describes every state, so watchers keep resuming.
                return;
            }

            // A consistent list is never older than what the cache has seen; if one is, the history
            // cannot place its difference, so it starts over and followers resynchronise.
            LogListNotNewer(_logger, Definition.DisplayName, listVersion, oldVersion, changes.Count + deletions.Count);
            _store.Clear();
            foreach (var item in items)
            {
                _store.Upsert(item);
            }

            _history.Reset(oldVersion);
            _historyEpoch++;
            return;
        }

        // Every difference is recorded at the list's version: the states in between were never seen.
        // The objects keep their own resourceVersion (clients update with it), in the order of those
        // versions. Past states stay exact for LISTs, but a watch must deliver every state, so watches
        // cannot cross the gap: a new epoch ends the open ones (their clients resume and, from before
        // the gap, get 410 and re-list from the cache), as the apiserver's cacher ends its watchers
        // when it re-lists.
        _history.MarkGap(oldVersion, listVersion);
        if (listVersion > oldVersion + 1)
        {
            _historyEpoch++;
        }

        foreach (var change in changes)
        {
            _store.Upsert(change.Object);
            _history.Append(change with { ResourceVersion = listVersion });
        }

        foreach (var gone in deletions)
        {
            _store.Remove(gone.Key);
            var stamped = ObjectDecoder.WithResourceVersion(gone, listVersion);
            _history.Append(new WatchCacheEvent(WatchEventType.Deleted, stamped, gone, listVersion, now));
        }

        _eventsApplied += changes.Count + deletions.Count;
        if (changes.Count + deletions.Count > 0)
        {
            var added = 0;
            foreach (var change in changes)
            {
                added += change.Type == WatchEventType.Added ? 1 : 0;
            }

            LogRelistDifference(_logger, Definition.DisplayName, oldVersion, listVersion, added, changes.Count - added, deletions.Count);
        }
    }

    /// <summary>Reads a figure of the store under the read lock (for metrics and tests; not a hot path).</summary>
    private T ReadLocked<T>(Func<ObjectStore, T> read)
    {
        _lock.EnterReadLock();
        try
        {
            return read(_store);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// An event the cache already holds: older than its version, or at its version when that version
    /// came from a list or bookmark (which include every change up to it) or the object already has it.
    /// </summary>
    private bool IsStale(CachedObject cachedObject)
    {
        var version = cachedObject.ResourceVersion;
        if (version != _resourceVersion)
        {
            return version < _resourceVersion;
        }

        return !_versionFromEvent || _store.Get(cachedObject.Key)?.ResourceVersion == version;
    }

    private long ListBytes(IReadOnlyList<CachedObject> items)
    {
        long total = 0;
        foreach (var item in items)
        {
            total += _store.EstimatedBytes(item);
        }

        return total;
    }

    private void CheckBudget(long wouldBe)
    {
        if (wouldBe > Definition.MaxBytes)
        {
            // Stop caching rather than hold a partial or stale state: free the memory, stop serving.
            _store.Clear();
            _generation++;
            _history.Reset(_resourceVersion);
            _historyEpoch++;
            _listed = false;
            _ready = false;
            SignalChanged(); // followers of the history learn at once that it was reset
            throw new CacheBudgetExceededException(Definition.DisplayName, Definition.MaxBytes, wouldBe);
        }
    }

    private void Progressed()
    {
        Interlocked.Exchange(ref _lastProgressTimestamp, _time.GetTimestamp());
        _waiters.Advance(ResourceVersion);
        SignalChanged();
    }

    /// <summary>Completes the task <see cref="NextChangeAsync"/> handed out, if any (its continuations run asynchronously, so this is safe under the lock).</summary>
    private void SignalChanged()
    {
        Interlocked.Exchange(ref _changed, null)?.TrySetResult();
    }

    /// <summary>A re-list's difference from the store (see <see cref="ComputeDifference"/>), with the <see cref="_generation"/> of the state it was computed against and the time its events carry.</summary>
    private sealed record RelistDifference(List<WatchCacheEvent> Changes, List<CachedObject> Deletions, DateTimeOffset Now, long Generation);

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Cache of {Resource}: ignored a {Type} event for {Key} at resourceVersion {EventVersion}, older than the cache's {CacheVersion}")]
    private static partial void LogStaleEvent(ILogger logger, string resource, WatchEventType type, string key, long eventVersion, long cacheVersion);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Cache of {Resource}: a re-list at resourceVersion {ListVersion} is not newer than the cache's {CacheVersion} yet differs in {Changes} objects; the history starts over")]
    private static partial void LogListNotNewer(ILogger logger, string resource, long listVersion, long cacheVersion, int changes);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Cache of {Resource}: re-list moved from resourceVersion {OldVersion} to {NewVersion}: {Added} added, {Modified} modified, {Deleted} deleted, delivered to watchers as events")]
    private static partial void LogRelistDifference(ILogger logger, string resource, long oldVersion, long newVersion, int added, int modified, int deleted);
}
