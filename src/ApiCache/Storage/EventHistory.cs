namespace ApiCache.Storage;

/// <summary>
/// The watch cache's recent changes of one resource, oldest first, in resource-version order: a
/// bounded ring buffer (by event count and by event age) that lets watches resume from a past
/// resource version and lets lists rebuild the state at a past resource version.
/// </summary>
/// <remarks>
/// <para>
/// The history covers "everything after <see cref="OldestResourceVersion"/>" (the floor): it starts at
/// the list RV given to <see cref="Reset(long)"/>, and each evicted event moves the floor to its own
/// RV, since changes at or below that RV can no longer be replayed. Any RV at or above the floor can be
/// resumed from, except RVs inside a gap (<see cref="MarkGap(long, long)"/>): states the cache never
/// observed, between the cache's RV before a re-list and the re-list's RV. Resuming there must answer
/// "too old" (410 Expired) like an RV below the floor.
/// </para>
/// <para>
/// RVs never decrease but need not be distinct: the synthetic events of a re-list all carry the list
/// RV. Every appended event also gets a sequence number (0, 1, 2, ... for the lifetime of the history,
/// never reused, not reset by <see cref="Reset(long)"/>) so that one dispatcher loop can follow the
/// history by position with <see cref="TryRead(long, out WatchCacheEvent)"/> without copying.
/// </para>
/// <para>
/// Thread-safe: every member is atomic under an internal lock (one writer, any number of readers).
/// Callers that need the history consistent with the store's current state (overlays) hold their own
/// lock around both. Age eviction runs on <see cref="Append(WatchCacheEvent)"/>, on the RV-based reads
/// and on <see cref="EvictExpired"/>, costing one clock read and a look at the oldest event; positional
/// reads (<see cref="TryRead(long, out WatchCacheEvent)"/>) do not read the clock.
/// </para>
/// </remarks>
internal sealed class EventHistory
{
    private const int InitialCapacity = 16;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly int _maxEvents;
    private readonly TimeSpan _maxAge;

    /// <summary>Unobserved RV ranges (both bounds exclusive), oldest first; dropped once the floor reaches their end.</summary>
    private readonly List<(long From, long To)> _gaps = [];

    private WatchCacheEvent?[] _ring;
    private int _head;
    private int _count;
    private long _oldestSequence;
    private bool _ready;
    private long _floor = -1;
    private long _latest = -1;
    private long _minimumNext;
    private long _bytes;

    /// <summary>Creates an empty history; call <see cref="Reset(long)"/> with the first list's RV before appending.</summary>
    /// <param name="maxEvents">The most events kept (at least 1); the oldest is evicted to make room.</param>
    /// <param name="maxAge">How long an event is kept after its <see cref="WatchCacheEvent.Timestamp"/>; <see cref="Timeout.InfiniteTimeSpan"/> for no age bound.</param>
    /// <param name="timeProvider">The clock that age eviction compares event timestamps with.</param>
    public EventHistory(int maxEvents, TimeSpan maxAge, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (maxAge <= TimeSpan.Zero && maxAge != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAge), maxAge, "must be positive or infinite");
        }

        _maxEvents = maxEvents;
        _maxAge = maxAge;
        _time = timeProvider;
        _ring = new WatchCacheEvent?[Math.Min(maxEvents, InitialCapacity)];
    }

    /// <summary>Number of events kept.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>
    /// The floor: the oldest RV a watch can resume from (it then gets every event with a greater RV).
    /// -1 before the first <see cref="Reset(long)"/>.
    /// </summary>
    public long OldestResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _floor;
            }
        }
    }

    /// <summary>The newest RV the history knows: the last event's, or the <see cref="Reset(long)"/> RV when no event came since (-1 before).</summary>
    public long LatestResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _latest;
            }
        }
    }

    /// <summary>
    /// Estimated bytes of objects kept alive only by the history: the <see cref="WatchCacheEvent.Previous"/>
    /// objects of MODIFIED and DELETED events plus the objects of DELETED events. An upper bound: some of
    /// them may also be referenced elsewhere (watchers' queues, snapshots).
    /// </summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The sequence number the next appended event will get; one past the newest kept event's.</summary>
    public long NextSequence
    {
        get
        {
            lock (_gate)
            {
                return _oldestSequence + _count;
            }
        }
    }

    /// <summary>
    /// The sequence number of the oldest kept event (equal to <see cref="NextSequence"/> when empty). Only
    /// grows; a reader whose cursor is below it has been overtaken by eviction or a reset.
    /// </summary>
    public long OldestSequence
    {
        get
        {
            lock (_gate)
            {
                return _oldestSequence;
            }
        }
    }

    /// <summary>
    /// Drops every event and gap: the history now covers everything after <paramref name="resourceVersion"/>
    /// (a fresh list's RV). Readers following by sequence are overtaken. The RV may be lower than before
    /// (a re-list from a restored store); the next event must be above it.
    /// </summary>
    public void Reset(long resourceVersion)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(resourceVersion);
        lock (_gate)
        {
            ClearRing();
            _gaps.Clear();
            _floor = resourceVersion;
            _latest = resourceVersion;
            _minimumNext = resourceVersion + 1;
            _bytes = 0;
            _ready = true;
        }
    }

    /// <summary>
    /// Appends one change, first evicting expired events and, when full, the oldest event.
    /// </summary>
    /// <exception cref="InvalidOperationException">Before the first <see cref="Reset(long)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The event's RV is lower than the newest event's, not above the <see cref="Reset(long)"/> RV, or below
    /// the end of a gap just marked: RVs never decrease.
    /// </exception>
    public void Append(WatchCacheEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        lock (_gate)
        {
            if (!_ready)
            {
                throw new InvalidOperationException("The event history must be reset to a list resource version before events are appended.");
            }

            if (e.ResourceVersion < _minimumNext)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(e), e.ResourceVersion, $"resource version {e.ResourceVersion} goes backwards: the history expects {_minimumNext} or later");
            }

            EvictExpiredLocked();
            if (_count == _maxEvents)
            {
                EvictOldestLocked();
            }
            else if (_count == _ring.Length)
            {
                Grow();
            }

            _ring[(_head + _count) % _ring.Length] = e;
            _count++;
            _bytes += Cost(e);
            _latest = e.ResourceVersion;
            _minimumNext = e.ResourceVersion;
        }
    }

    /// <summary>
    /// Records that the states strictly between <paramref name="fromExclusive"/> (the cache's RV before a
    /// re-list) and <paramref name="toExclusive"/> (the re-list's RV, at which the synthetic diff events are
    /// then appended) were never observed: resuming or rebuilding there answers "too old", while RVs up to
    /// <paramref name="fromExclusive"/> and from <paramref name="toExclusive"/> on keep working. The next
    /// appended event must have an RV of at least <paramref name="toExclusive"/>. A gap overlapping the
    /// previous one is merged with it; a gap is forgotten once the floor reaches its end.
    /// </summary>
    /// <exception cref="InvalidOperationException">Before the first <see cref="Reset(long)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="fromExclusive"/> is older than the newest RV the history holds, or
    /// <paramref name="toExclusive"/> is not above it.
    /// </exception>
    public void MarkGap(long fromExclusive, long toExclusive)
    {
        lock (_gate)
        {
            if (!_ready)
            {
                throw new InvalidOperationException("The event history must be reset to a list resource version before a gap is marked.");
            }

            ArgumentOutOfRangeException.ThrowIfLessThan(fromExclusive, _latest);
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(toExclusive, fromExclusive);
            _minimumNext = Math.Max(_minimumNext, toExclusive);
            if (toExclusive == fromExclusive + 1)
            {
                return; // adjacent versions: no state in between
            }

            if (_gaps.Count > 0 && _gaps[^1].To > fromExclusive)
            {
                var last = _gaps[^1];
                _gaps[^1] = (Math.Min(last.From, fromExclusive), Math.Max(last.To, toExclusive));
            }
            else
            {
                _gaps.Add((fromExclusive, toExclusive));
            }
        }
    }

    /// <summary>Evicts the events older than the maximum age now; for housekeeping when nothing is appended or read by RV.</summary>
    public void EvictExpired()
    {
        lock (_gate)
        {
            EvictExpiredLocked();
        }
    }

    /// <summary>
    /// Appends to <paramref name="into"/> every kept event with an RV above <paramref name="resourceVersion"/>,
    /// oldest first. False (nothing appended) when the RV is below the floor or inside a gap: too old, the
    /// caller answers 410 Expired. An RV at or above <see cref="LatestResourceVersion"/> yields no events.
    /// </summary>
    public bool TryGetEventsSince(long resourceVersion, List<WatchCacheEvent> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        lock (_gate)
        {
            EvictExpiredLocked();
            if (!CanServeLocked(resourceVersion))
            {
                return false;
            }

            for (var i = FirstIndexAfterLocked(resourceVersion); i < _count; i++)
            {
                into.Add(At(i));
            }

            return true;
        }
    }

    /// <summary>
    /// The sequence number of the first event with an RV above <paramref name="resourceVersion"/>
    /// (<see cref="NextSequence"/> when there is none yet): where a watch resuming from that RV starts
    /// reading with <see cref="TryRead(long, out WatchCacheEvent)"/>. False when the RV is too old
    /// (below the floor or inside a gap).
    /// </summary>
    public bool TryGetSequenceAfter(long resourceVersion, out long sequence)
    {
        lock (_gate)
        {
            EvictExpiredLocked();
            if (!CanServeLocked(resourceVersion))
            {
                sequence = -1;
                return false;
            }

            sequence = _oldestSequence + FirstIndexAfterLocked(resourceVersion);
            return true;
        }
    }

    /// <summary>
    /// Where a WATCH resuming from <paramref name="resourceVersion"/> starts: as
    /// <see cref="TryGetSequenceAfter(long, out long)"/>, but stricter: an RV before a gap fails too,
    /// since a watch must deliver every state and the states in the gap were never seen (a LIST at that
    /// RV is still exact: the cache knows the state there). On failure <paramref name="oldestResumable"/>
    /// is the oldest RV a watch could resume from (the floor, or the end of the newest gap after the
    /// RV), which the apiserver's "too old resource version: N (M)" message names.
    /// </summary>
    public bool TryGetResumeSequence(long resourceVersion, out long sequence, out long oldestResumable)
    {
        lock (_gate)
        {
            EvictExpiredLocked();
            oldestResumable = _floor;
            var afterGap = true;
            foreach (var (_, to) in _gaps)
            {
                if (resourceVersion < to)
                {
                    afterGap = false;
                    oldestResumable = Math.Max(oldestResumable, to);
                }
            }

            if (!afterGap || !CanServeLocked(resourceVersion))
            {
                sequence = -1;
                return false;
            }

            sequence = _oldestSequence + FirstIndexAfterLocked(resourceVersion);
            return true;
        }
    }

    /// <summary>
    /// The event with sequence number <paramref name="sequence"/>, without copying or reading the clock.
    /// False when it is not written yet or no longer kept; since <see cref="OldestSequence"/> only grows,
    /// a false with <paramref name="sequence"/> below <see cref="OldestSequence"/> (read afterwards) means
    /// the reader was overtaken and must end its watch; otherwise it waits for the next append.
    /// </summary>
    public bool TryRead(long sequence, out WatchCacheEvent e)
    {
        lock (_gate)
        {
            var index = sequence - _oldestSequence;
            if (index < 0 || index >= _count)
            {
                e = null!;
                return false;
            }

            e = At((int)index);
            return true;
        }
    }

    /// <summary>
    /// The state at <paramref name="resourceVersion"/> as an overlay on the current state: for each key
    /// changed by a kept event with a greater RV, the object as it was then, which is the
    /// <see cref="WatchCacheEvent.Previous"/> of the first such event (null when that event is an ADDED:
    /// the key did not exist). False when the RV is below the floor or inside a gap. The history knows
    /// no progress without events, so an RV beyond the store's current RV must not be asked for.
    /// </summary>
    public bool TryBuildOverlay(long resourceVersion, out StateOverlay? overlay)
    {
        lock (_gate)
        {
            EvictExpiredLocked();
            if (!CanServeLocked(resourceVersion))
            {
                overlay = null;
                return false;
            }

            var entries = new SortedDictionary<ObjectKey, CachedObject?>();
            for (var i = FirstIndexAfterLocked(resourceVersion); i < _count; i++)
            {
                var e = At(i);
                entries.TryAdd(e.Object.Key, e.Type == WatchEventType.Added ? null : e.Previous);
            }

            overlay = new StateOverlay(resourceVersion, entries);
            return true;
        }
    }

    /// <summary>Bytes an event keeps alive beyond the current state (see <see cref="Bytes"/>).</summary>
    private static long Cost(WatchCacheEvent e) => e.Type switch
    {
        WatchEventType.Modified => e.Previous?.SizeInBytes ?? 0,
        WatchEventType.Deleted => (e.Previous?.SizeInBytes ?? 0) + e.Object.SizeInBytes,
        _ => 0,
    };

    private WatchCacheEvent At(int index) => _ring[(_head + index) % _ring.Length]!;

    private bool CanServeLocked(long resourceVersion)
    {
        if (!_ready || resourceVersion < _floor)
        {
            return false;
        }

        foreach (var (from, to) in _gaps)
        {
            if (resourceVersion > from && resourceVersion < to)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Binary search: the index of the first kept event whose RV is above <paramref name="resourceVersion"/> (RVs never decrease).</summary>
    private int FirstIndexAfterLocked(long resourceVersion)
    {
        var low = 0;
        var high = _count;
        while (low < high)
        {
            var middle = low + ((high - low) >> 1);
            if (At(middle).ResourceVersion <= resourceVersion)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private void EvictExpiredLocked()
    {
        if (_count == 0 || _maxAge == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        var cutoffTicks = _time.GetUtcNow().UtcTicks - _maxAge.Ticks;
        while (_count > 0 && At(0).Timestamp.UtcTicks < cutoffTicks)
        {
            EvictOldestLocked();
        }
    }

    private void EvictOldestLocked()
    {
        var oldest = At(0);
        _ring[_head] = null;
        _head = (_head + 1) % _ring.Length;
        _count--;
        _oldestSequence++;
        _bytes -= Cost(oldest);
        _floor = Math.Max(_floor, oldest.ResourceVersion);
        while (_gaps.Count > 0 && _gaps[0].To <= _floor)
        {
            _gaps.RemoveAt(0);
        }
    }

    private void ClearRing()
    {
        Array.Clear(_ring);
        _oldestSequence += _count;
        _head = 0;
        _count = 0;
    }

    private void Grow()
    {
        var grown = new WatchCacheEvent?[(int)Math.Min(_maxEvents, _ring.Length * 2L)];
        for (var i = 0; i < _count; i++)
        {
            grown[i] = At(i);
        }

        _ring = grown;
        _head = 0;
    }
}
