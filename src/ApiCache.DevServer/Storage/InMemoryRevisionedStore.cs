using System.Runtime.CompilerServices;

namespace ApiCache.DevServer.Storage;

/// <summary>
/// An <see cref="IRevisionedStore"/> in process memory with etcd's multi-version semantics: the
/// dev server's default store, and the reference the etcd-backed store is tested against.
/// </summary>
/// <remarks>
/// <para>
/// Revisions: an empty store is at revision 1, like a fresh etcd, so the first write gets revision 2.
/// Every successful write call takes the next revision; <see cref="CreateManyAsync"/> writes all of
/// its items at one revision (like one etcd transaction). A failed conditional write changes nothing.
/// </para>
/// <para>
/// Data: each key keeps its versions (<see cref="KeyHistory"/>) in a dictionary, and a sorted set
/// indexes the keys in etcd's byte order (<see cref="StoreKeyComparer"/>), so a range read walks
/// only its own keys and an insert costs O(log n). A deleted key stays indexed, as a tombstone,
/// while a readable revision still sees it.
/// </para>
/// <para>
/// Compaction to revision C keeps the state at C and every change from C on: reads need a revision
/// of at least C, and watches an <c>afterRevision</c> of at least C - 1 (etcd's rule for a watch
/// that starts at <c>afterRevision + 1</c>). Compacting to a revision at or below the compacted one
/// does nothing. With <see cref="InMemoryStoreOptions.HistoryWindow"/> set, every write compacts
/// so that exactly that many revisions stay readable. A version that a compaction leaves behind is
/// dropped by a later compaction (at most one stale version per key lingers).
/// </para>
/// <para>
/// Watches read the one shared change log by position and copy at most a small batch at a time,
/// so a watcher holds no memory of its own that grows; the log is bounded by compaction. A watcher
/// that falls so far behind that changes it has not yet read were compacted away gets
/// <see cref="StoreRevisionCompactedException"/> from its next <c>MoveNextAsync</c>, mid-stream, as
/// etcd cancels a watcher that lags behind compaction; its consumer starts again from a fresh read.
/// </para>
/// <para>
/// Progress: a watch that has delivered every change (it is caught up) emits a
/// <see cref="StoreEventType.Progress"/> event with the store's revision when that revision is
/// above the highest one the watch has reported so far (in an event or an earlier progress), and
/// at least <see cref="InMemoryStoreOptions.ProgressInterval"/> after the watch started or sent its
/// last progress. So an idle watch on a quiet prefix learns, about once per interval, that the
/// store moved on (a BOOKMARK for its consumer), and says nothing while nothing changes.
/// </para>
/// <para>
/// Concurrency: one lock guards all state. It is held for a write, for a range read (time in
/// proportion to the keys of the range), and for a watch's copy of one batch of the log; never
/// while awaiting or while a watch's consumer handles an event. Values are not copied: the store
/// keeps the arrays it is given and hands the same arrays to readers, so neither may change them.
/// <see cref="DisposeAsync"/> ends every watch (its enumeration completes); later calls throw
/// <see cref="ObjectDisposedException"/>.
/// </para>
/// </remarks>
internal sealed class InMemoryRevisionedStore : IRevisionedStore
{
    /// <summary>The most log entries a watch examines in one hold of the lock.</summary>
    private const int MaxScan = 4096;

    /// <summary>The most events a watch copies out of the log at a time.</summary>
    private const int MaxBatch = 512;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, KeyHistory> _keys = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _index = new(StoreKeyComparer.Instance);
    private readonly StoreEventLog _log = new();
    private readonly InMemoryStoreOptions _options;
    private TaskCompletionSource _changed = NewSignal();
    private long _revision = 1;
    private long _compacted;
    private bool _disposed;

    /// <summary>Creates an empty store (revision 1).</summary>
    public InMemoryRevisionedStore(InMemoryStoreOptions? options = null)
    {
        _options = options ?? new InMemoryStoreOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(_options.HistoryWindow, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.ProgressInterval, TimeSpan.Zero, nameof(options));
        ArgumentNullException.ThrowIfNull(_options.TimeProvider, nameof(options));
    }

    /// <inheritdoc/>
    public ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return ValueTask.FromResult(_revision);
        }
    }

    /// <inheritdoc/>
    public ValueTask<long> GetCompactedRevisionAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return ValueTask.FromResult(_compacted);
        }
    }

    /// <inheritdoc/>
    public ValueTask<StoreRange> RangeAsync(StoreRangeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Prefix, nameof(request));
        ArgumentOutOfRangeException.ThrowIfNegative(request.Revision, nameof(request));
        ArgumentOutOfRangeException.ThrowIfNegative(request.Limit, nameof(request));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var revision = request.Revision == 0 ? _revision : request.Revision;
            if (revision > _revision)
            {
                throw new StoreFutureRevisionException(revision, _revision);
            }

            if (revision < _compacted)
            {
                throw new StoreRevisionCompactedException(revision, _compacted);
            }

            var items = new List<StoreKeyValue>();
            long count = 0;
            foreach (var key in KeysLocked(request))
            {
                if (_keys[key].At(revision) is { } keyValue)
                {
                    count++;
                    if (request.Limit == 0 || items.Count < request.Limit)
                    {
                        items.Add(keyValue);
                    }
                    else if (!request.CountAll)
                    {
                        break;
                    }
                }
            }

            return ValueTask.FromResult(new StoreRange(items, revision, count > items.Count, count));
        }
    }

    /// <inheritdoc/>
    public ValueTask<StoreWriteResult> CreateAsync(string key, byte[] value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource signal;
        StoreWriteResult result;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var history = _keys.GetValueOrDefault(key);
            if (history?.Current is { } existing)
            {
                return ValueTask.FromResult(new StoreWriteResult(false, _revision, existing));
            }

            var revision = _revision + 1;
            var created = new StoreKeyValue(key, value, revision, revision);
            HistoryForWriteLocked(key, history).Add(revision, created);
            _log.Append(new StoreEvent(StoreEventType.Put, revision, created, null));
            signal = CommitLocked(revision);
            result = new StoreWriteResult(true, revision, created);
        }

        signal.TrySetResult();
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc/>
    /// <remarks>A key given twice in one call is rejected (etcd rejects such a transaction), before anything is written.</remarks>
    public ValueTask<long> CreateManyAsync(IReadOnlyList<KeyValuePair<string, byte[]>> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var seen = new HashSet<string>(items.Count, StringComparer.Ordinal);
        foreach (var (key, value) in items)
        {
            ArgumentException.ThrowIfNullOrEmpty(key, nameof(items));
            ArgumentNullException.ThrowIfNull(value, nameof(items));
            if (!seen.Add(key))
            {
                throw new ArgumentException($"key {key} is given twice", nameof(items));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource signal;
        long revision;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (items.Count == 0)
            {
                return ValueTask.FromResult(_revision);
            }

            revision = _revision + 1;
            foreach (var (key, value) in items)
            {
                var history = HistoryForWriteLocked(key, _keys.GetValueOrDefault(key));
                var previous = history.Current;
                var written = new StoreKeyValue(key, value, previous?.CreateRevision ?? revision, revision);
                history.Add(revision, written);
                _log.Append(new StoreEvent(StoreEventType.Put, revision, written, previous));
            }

            signal = CommitLocked(revision);
        }

        signal.TrySetResult();
        return ValueTask.FromResult(revision);
    }

    /// <inheritdoc/>
    public ValueTask<StoreWriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource signal;
        StoreWriteResult result;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var history = _keys.GetValueOrDefault(key);
            var current = history?.Current;
            if (history is null || current is null || current.ModRevision != expectedModRevision)
            {
                return ValueTask.FromResult(new StoreWriteResult(false, _revision, current));
            }

            var revision = _revision + 1;
            var updated = new StoreKeyValue(key, value, current.CreateRevision, revision);
            history.Add(revision, updated);
            _log.Append(new StoreEvent(StoreEventType.Put, revision, updated, current));
            signal = CommitLocked(revision);
            result = new StoreWriteResult(true, revision, updated);
        }

        signal.TrySetResult();
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc/>
    public ValueTask<StoreWriteResult> DeleteAsync(string key, long? expectedModRevision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource signal;
        StoreWriteResult result;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var history = _keys.GetValueOrDefault(key);
            var current = history?.Current;
            if (history is null || current is null || (expectedModRevision is { } expected && current.ModRevision != expected))
            {
                return ValueTask.FromResult(new StoreWriteResult(false, _revision, current));
            }

            var revision = _revision + 1;
            history.Add(revision, null);

            // Like etcd's delete event: the key and the delete revision, no value, no create revision.
            var deleted = new StoreKeyValue(key, [], 0, revision);
            _log.Append(new StoreEvent(StoreEventType.Delete, revision, deleted, current));
            signal = CommitLocked(revision);
            result = new StoreWriteResult(true, revision, current);
        }

        signal.TrySetResult();
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Validation happens on the call; the compaction check on the first <c>MoveNextAsync</c>.
    /// <paramref name="afterRevision"/> may be ahead of the store: the watch then waits for it.
    /// </remarks>
    public IAsyncEnumerable<StoreEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(afterRevision);
        return WatchCoreAsync(prefix, afterRevision, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Throws <see cref="StoreFutureRevisionException"/> for a revision above the current one, like etcd.</remarks>
    public ValueTask CompactAsync(long revision, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (revision > _revision)
            {
                throw new StoreFutureRevisionException(revision, _revision);
            }

            if (revision > _compacted)
            {
                CompactLocked(revision);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Ends every watch; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public ValueTask DisposeAsync()
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
            signal = _changed;
        }

        signal.TrySetResult();
        return ValueTask.CompletedTask;
    }

    /// <summary>A signal that completes once, on the next change; its waiters resume off the writer's thread.</summary>
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The body of <see cref="WatchAsync"/>: copies batches of matching events out of the log under
    /// the lock, yields them outside it, and when caught up waits for the next change (or for the
    /// next progress to fall due).
    /// </summary>
    private async IAsyncEnumerable<StoreEvent> WatchCoreAsync(string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var time = _options.TimeProvider;
        long position;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (afterRevision < _compacted - 1)
            {
                throw new StoreRevisionCompactedException(afterRevision, _compacted);
            }

            position = _log.PositionAfter(afterRevision);
        }

        var batch = new List<StoreEvent>();
        var scanned = afterRevision;
        var reported = afterRevision;
        var progressClock = time.GetTimestamp();

        // Runs until cancelled, disposed, or overtaken by compaction; each turn either consumes log
        // entries or waits for a change or a due progress.
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var caughtUpAt = -1L;
            bool disposed;
            Task changed;
            lock (_gate)
            {
                disposed = _disposed;
                changed = _changed.Task;
                if (!disposed)
                {
                    if (position < _log.Start)
                    {
                        throw new StoreRevisionCompactedException(scanned + 1, _compacted);
                    }

                    var end = Math.Min(_log.End, position + MaxScan);
                    for (; position < end && batch.Count < MaxBatch; position++)
                    {
                        var change = _log[position];
                        scanned = change.Revision;
                        if (change.Revision > afterRevision && change.KeyValue!.Key.StartsWith(prefix, StringComparison.Ordinal))
                        {
                            batch.Add(change);
                        }
                    }

                    if (position == _log.End)
                    {
                        caughtUpAt = _revision;
                    }
                }
            }

            if (disposed)
            {
                yield break;
            }

            foreach (var change in batch)
            {
                reported = change.Revision;
                yield return change;
            }

            batch.Clear();
            if (caughtUpAt < 0)
            {
                continue;
            }

            var wait = Timeout.InfiniteTimeSpan;
            if (caughtUpAt > reported)
            {
                var remaining = _options.ProgressInterval - time.GetElapsedTime(progressClock);
                if (remaining <= TimeSpan.Zero)
                {
                    reported = caughtUpAt;
                    progressClock = time.GetTimestamp();
                    yield return new StoreEvent(StoreEventType.Progress, caughtUpAt, null, null);
                    continue;
                }

                wait = remaining;
            }

            try
            {
                await changed.WaitAsync(wait, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // A progress fell due: the next turn sends it.
            }
        }
    }

    /// <summary>The keys of a range request's key range, in order (deleted ones included); call under the lock and enumerate there.</summary>
    private IEnumerable<string> KeysLocked(StoreRangeRequest request)
    {
        var prefix = request.Prefix;
        var comparer = StoreKeyComparer.Instance;
        var startsLater = request.StartKey is { } startKey && comparer.Compare(startKey, prefix) > 0;
        var start = startsLater ? request.StartKey! : prefix;
        if (request.SingleKey)
        {
            if (!startsLater && _keys.ContainsKey(prefix))
            {
                yield return prefix;
            }

            yield break;
        }

        if (_index.Count == 0)
        {
            yield break;
        }

        var end = StoreKeyComparer.PrefixEnd(prefix) ?? _index.Max!;
        if (comparer.Compare(start, end) > 0)
        {
            yield break;
        }

        foreach (var key in _index.GetViewBetween(start, end))
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield break;
            }

            yield return key;
        }
    }

    /// <summary>The history to record a write of <paramref name="key"/> in, creating and indexing it for a new key.</summary>
    private KeyHistory HistoryForWriteLocked(string key, KeyHistory? history)
    {
        if (history is null)
        {
            history = new KeyHistory();
            _keys.Add(key, history);
            _index.Add(key);
        }

        return history;
    }

    /// <summary>Makes <paramref name="revision"/> current, compacts to the history window, and returns the signal to complete outside the lock.</summary>
    private TaskCompletionSource CommitLocked(long revision)
    {
        _revision = revision;
        if (_options.HistoryWindow > 0)
        {
            var oldestReadable = revision - _options.HistoryWindow + 1;
            if (oldestReadable > Math.Max(_compacted, 1))
            {
                CompactLocked(oldestReadable);
            }
        }

        var signal = _changed;
        _changed = NewSignal();
        return signal;
    }

    /// <summary>
    /// Compacts to <paramref name="revision"/>: drops the log's events before it and, for each
    /// key they touched, the versions no read from that revision on can see; forgets keys that are
    /// deleted as of it.
    /// </summary>
    private void CompactLocked(long revision)
    {
        _compacted = revision;
        while (_log.Start < _log.End)
        {
            var change = _log[_log.Start];
            if (change.Revision >= revision)
            {
                break;
            }

            var key = change.KeyValue!.Key;
            if (_keys.TryGetValue(key, out var history) && history.Compact(revision))
            {
                _keys.Remove(key);
                _index.Remove(key);
            }

            _log.DropFirst();
        }
    }
}
