using System.Collections.Concurrent;
using ApiCache.Consistency;
using ApiCache.DevServer.Resources;
using ApiCache.DevServer.Storage;

namespace ApiCache.DevServer.Embedding;

/// <summary>
/// Remembers, per resource key prefix of the catalog (<c>/registry/pods/</c>), the last revision at
/// which this process changed a key under it, so a consistent read of one resource waits only for
/// that resource's own last write, not for the store's latest revision (which another resource's
/// write may have made). Fed by <see cref="WriteTrackingStore"/> around every write the dev server
/// makes (creates, updates, deletes, seeding; not compaction, which changes no key).
/// </summary>
/// <remarks>
/// Exact only while this process is the only writer of its store: a write by another process (a
/// second dev server on the same etcd, a test writing to the store directly) is not seen, and a
/// read may then miss it. Writes before tracking began (an etcd that already held data) are
/// covered by a floor: the store's revision when tracking began. A write that failed without
/// telling whether it committed is assumed to have committed before the next lookup's current
/// revision. A write in flight under the looked-up prefix is waited for (briefly) because its
/// revision is not known until it returns; if writes keep coming, the answer falls back to the
/// current revision, which is always safe.
/// </remarks>
internal sealed class ResourceWriteTracker
{
    /// <summary>How many times a lookup retries when a write under its prefix got in the way.</summary>
    private const int MaxAttempts = 8;

    /// <summary>How long a lookup waits for writes in flight under its prefix to return.</summary>
    private static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(2);

    private readonly IRevisionedStore _store;
    private readonly string[] _prefixes;
    private readonly PrefixState[] _states;
    private readonly ConcurrentDictionary<string, int[]> _covering = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();
    private Task<long>? _baseline;

    /// <summary>Tracks writes to <paramref name="store"/> under the key prefixes of <paramref name="catalog"/>.</summary>
    public ResourceWriteTracker(ResourceCatalog catalog, IRevisionedStore store)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(store);
        _store = store;

        // Longest first, so a key finds its most specific prefix; the last state is for keys under none.
        _prefixes = [.. catalog.Resources.Select(r => r.KeyPrefix).Distinct(StringComparer.Ordinal).OrderByDescending(p => p.Length)];
        _states = [.. Enumerable.Range(0, _prefixes.Length + 1).Select(_ => new PrefixState())];
    }

    /// <summary>
    /// The store's revision when tracking began: every write before it is at or below it. Read once,
    /// before the first tracked write (or lookup); a failed read is retried by the next caller.
    /// </summary>
    public async ValueTask<long> BaselineAsync(CancellationToken cancellationToken)
    {
        Task<long> baseline;
        lock (_sync)
        {
            baseline = _baseline ??= _store.GetRevisionAsync(CancellationToken.None).AsTask();
        }

        try
        {
            return await baseline.WaitAsync(cancellationToken);
        }
        catch (Exception) when (baseline.IsFaulted || baseline.IsCanceled)
        {
            lock (_sync)
            {
                if (_baseline == baseline)
                {
                    _baseline = null;
                }
            }

            throw;
        }
    }

    /// <summary>Marks writes to <paramref name="keys"/> as in flight; pass the result to <see cref="Ended"/>.</summary>
    public int[] Starting(IEnumerable<string> keys)
    {
        var indexes = keys.Select(IndexOf).Distinct().ToArray();
        lock (_sync)
        {
            foreach (var index in indexes)
            {
                var state = _states[index];
                state.Pending++;
                state.Version++;
            }
        }

        return indexes;
    }

    /// <summary>
    /// Records the outcome of writes marked by <see cref="Starting"/>: <paramref name="revision"/> is
    /// the revision they changed the keys at, 0 when they changed nothing (a failed condition), null
    /// when it is unknown whether they committed (the store threw).
    /// </summary>
    public void Ended(int[] indexes, long? revision)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        lock (_sync)
        {
            foreach (var index in indexes)
            {
                var state = _states[index];
                if (revision is null)
                {
                    state.Uncertain = true;
                }
                else
                {
                    state.Last = Math.Max(state.Last, revision.Value);
                }

                state.Version++;
                if (--state.Pending == 0 && state.Drained is { } drained)
                {
                    state.Drained = null;
                    drained.TrySetResult();
                }
            }
        }
    }

    /// <summary>
    /// The consistent-read target of the keys under <paramref name="keyPrefix"/> (in the store's
    /// layout): the last revision at or before the current one that changed such a key, and the
    /// current revision.
    /// </summary>
    public async ValueTask<RevisionTarget> GetTargetAsync(string keyPrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyPrefix);
        var baseline = await BaselineAsync(cancellationToken);
        var indexes = _covering.GetOrAdd(keyPrefix, Covering);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            // A write under the prefix that committed at or before the current revision read below
            // started before that read; so if none is in flight now and none started or ended by the
            // time the read returns, every such write is recorded.
            var (before, drained) = Snapshot(indexes);
            if (drained is not null)
            {
                try
                {
                    await drained.WaitAsync(DrainWait, cancellationToken);
                }
                catch (TimeoutException)
                {
                    break;
                }

                continue;
            }

            var current = await _store.GetRevisionAsync(cancellationToken);
            lock (_sync)
            {
                var (after, busy) = SnapshotLocked(indexes);
                if (busy is null && after == before)
                {
                    var last = baseline;
                    foreach (var index in indexes)
                    {
                        var state = _states[index];
                        if (state.Uncertain)
                        {
                            // It ended before this lookup's current revision was read, so it is at or below it.
                            state.Last = Math.Max(state.Last, current);
                            state.Uncertain = false;
                        }

                        last = Math.Max(last, state.Last);
                    }

                    return new RevisionTarget(Math.Min(last, current), current);
                }
            }
        }

        // Writes keep coming: the current revision is always a safe target.
        var now = await _store.GetRevisionAsync(cancellationToken);
        return new RevisionTarget(now, now);
    }

    private (long Version, Task? Drained) Snapshot(int[] indexes)
    {
        lock (_sync)
        {
            return SnapshotLocked(indexes);
        }
    }

    /// <summary>The summed versions of <paramref name="indexes"/>, or a task for the end of writes in flight under one of them.</summary>
    private (long Version, Task? Drained) SnapshotLocked(int[] indexes)
    {
        long version = 0;
        foreach (var index in indexes)
        {
            var state = _states[index];
            if (state.Pending > 0)
            {
                state.Drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return (0, state.Drained.Task);
            }

            version += state.Version;
        }

        return (version, null);
    }

    /// <summary>The state a written key counts under: its longest catalog prefix, or the last state for keys under none.</summary>
    private int IndexOf(string key)
    {
        for (var i = 0; i < _prefixes.Length; i++)
        {
            if (key.StartsWith(_prefixes[i], StringComparison.Ordinal))
            {
                return i;
            }
        }

        return _prefixes.Length;
    }

    /// <summary>
    /// The states whose keys may lie under <paramref name="keyPrefix"/>: catalog prefixes inside it or
    /// containing it (a narrower prefix is answered for its whole resource, which is safe), and
    /// always the keys under no catalog prefix.
    /// </summary>
    private int[] Covering(string keyPrefix)
    {
        var covering = new List<int>();
        for (var i = 0; i < _prefixes.Length; i++)
        {
            if (_prefixes[i].StartsWith(keyPrefix, StringComparison.Ordinal) || keyPrefix.StartsWith(_prefixes[i], StringComparison.Ordinal))
            {
                covering.Add(i);
            }
        }

        covering.Add(_prefixes.Length);
        return [.. covering];
    }

    /// <summary>What is known about the writes under one prefix; guarded by the tracker's lock.</summary>
    private sealed class PrefixState
    {
        /// <summary>The highest revision a recorded write changed a key at.</summary>
        public long Last { get; set; }

        /// <summary>Writes in flight.</summary>
        public int Pending { get; set; }

        /// <summary>Counts starts and ends of writes, so a lookup can tell that one happened meanwhile.</summary>
        public long Version { get; set; }

        /// <summary>A write ended without telling whether it committed; the next lookup resolves it.</summary>
        public bool Uncertain { get; set; }

        /// <summary>Completed when <see cref="Pending"/> drops to zero, created by a lookup that waits.</summary>
        public TaskCompletionSource? Drained { get; set; }
    }
}
