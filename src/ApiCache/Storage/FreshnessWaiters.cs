namespace ApiCache.Storage;

/// <summary>
/// Lets requests wait until the cache has caught up to a resource version (consistent reads, "not older
/// than N"), without polling: the reflector reports progress with <see cref="Advance(long)"/>, which wakes
/// exactly the waiters it satisfies.
/// </summary>
/// <remarks>
/// Waiters sit in a set ordered by (resource version, arrival), so adding, waking and removing one costs
/// O(log n). Each waiter is one completion source (continuations run asynchronously, so
/// <see cref="Advance(long)"/>, called under the reflector's lock, never runs waiter code inline), an
/// optional timer from the injected <see cref="TimeProvider"/> and an optional cancellation registration;
/// a waiter that times out or is cancelled leaves the set at once. Thread-safe.
/// </remarks>
internal sealed class FreshnessWaiters
{
    private readonly Lock _gate = new();
    private readonly SortedSet<Waiter> _waiters = [];
    private readonly TimeProvider _time;
    private long _current;
    private long _nextId;
    private bool _closed;

    /// <summary>Creates the waiters of one cache.</summary>
    /// <param name="timeProvider">The clock that measures wait timeouts.</param>
    /// <param name="current">The resource version the cache is at now.</param>
    public FreshnessWaiters(TimeProvider timeProvider, long current = 0)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        _current = current;
    }

    /// <summary>The highest resource version reported to <see cref="Advance(long)"/> (or given at construction).</summary>
    public long Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Number of requests waiting now.</summary>
    public int WaiterCount
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>
    /// Waits until the cache is at <paramref name="resourceVersion"/> or later. True at once when it
    /// already is; otherwise true when <see cref="Advance(long)"/> reaches it, false when
    /// <paramref name="timeout"/> (measured with the injected clock; <see cref="Timeout.InfiniteTimeSpan"/>
    /// for none, <see cref="TimeSpan.Zero"/> to only check) elapses first.
    /// </summary>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">After <see cref="Close"/>, for a wait that is not already satisfied.</exception>
    public ValueTask<bool> WaitAsync(long resourceVersion, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "must be non-negative or infinite");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        Waiter waiter;
        lock (_gate)
        {
            if (_current >= resourceVersion)
            {
                return new ValueTask<bool>(true);
            }

            if (_closed)
            {
                return ValueTask.FromException<bool>(new ObjectDisposedException(nameof(FreshnessWaiters)));
            }

            if (timeout == TimeSpan.Zero)
            {
                return new ValueTask<bool>(false);
            }

            waiter = new Waiter(this, resourceVersion, _nextId++);
            _waiters.Add(waiter);
        }

        // The waiter is in the set before its timer and registration exist, so neither can fire for a
        // waiter that is not there yet; whoever finishes last (setup or completion) releases them.
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            waiter.Timer = _time.CreateTimer(static state => ((Waiter)state!).Expire(), waiter, timeout, Timeout.InfiniteTimeSpan);
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), waiter);
        }

        waiter.Release();
        return new ValueTask<bool>(waiter.Completion.Task);
    }

    /// <summary>
    /// Reports that the cache reached <paramref name="current"/> and wakes (with true) every waiter at or
    /// below it, in resource-version order. Lower values than <see cref="Current"/> are ignored.
    /// </summary>
    public void Advance(long current)
    {
        List<Waiter>? satisfied = null;
        lock (_gate)
        {
            if (current <= _current)
            {
                return;
            }

            _current = current;
            while (_waiters.Count > 0)
            {
                var first = _waiters.Min!;
                if (first.ResourceVersion > current)
                {
                    break;
                }

                _waiters.Remove(first);
                (satisfied ??= []).Add(first);
            }
        }

        if (satisfied is not null)
        {
            foreach (var waiter in satisfied)
            {
                waiter.Completion.TrySetResult(true);
                waiter.Release();
            }
        }
    }

    /// <summary>
    /// Shuts down: every pending wait fails with <see cref="ObjectDisposedException"/> (so callers can tell
    /// shutdown from a timeout), and so does every later wait that is not already satisfied. Idempotent.
    /// </summary>
    public void Close()
    {
        Waiter[] pending;
        lock (_gate)
        {
            _closed = true;
            pending = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in pending)
        {
            waiter.Completion.TrySetException(new ObjectDisposedException(nameof(FreshnessWaiters)));
            waiter.Release();
        }
    }

    private bool TryRemove(Waiter waiter)
    {
        lock (_gate)
        {
            return _waiters.Remove(waiter);
        }
    }

    /// <summary>One pending wait; ordered by resource version, then arrival.</summary>
    private sealed class Waiter(FreshnessWaiters owner, long resourceVersion, long id) : IComparable<Waiter>
    {
        /// <summary>Parties that must finish before the timer and registration are released: setup and completion.</summary>
        private int _pending = 2;

        public long ResourceVersion { get; } = resourceVersion;

        /// <summary>Arrival order, breaking ties between equal resource versions.</summary>
        public long Id { get; } = id;

        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ITimer? Timer { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public int CompareTo(Waiter? other)
        {
            if (other is null)
            {
                return 1;
            }

            var order = ResourceVersion.CompareTo(other.ResourceVersion);
            return order != 0 ? order : Id.CompareTo(other.Id);
        }

        /// <summary>The timeout elapsed: completes with false unless something else completed it first.</summary>
        public void Expire()
        {
            if (owner.TryRemove(this))
            {
                Completion.TrySetResult(false);
                Release();
            }
        }

        /// <summary>The caller's token was cancelled: completes as cancelled unless something else completed it first.</summary>
        public void Cancel(CancellationToken token)
        {
            if (owner.TryRemove(this))
            {
                Completion.TrySetCanceled(token);
                Release();
            }
        }

        /// <summary>Called once by the setup and once by the completer; the last one disposes the timer and registration.</summary>
        public void Release()
        {
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                Timer?.Dispose();
                Registration.Unregister();
            }
        }
    }
}
