namespace ApiCache.Watch;

/// <summary>
/// The time one resource's dispatch may spend waiting for watchers whose queues are full, shared by
/// all of them (the apiserver's cacher has the same device): at most <c>capacity</c> at once,
/// refilled by <c>capacity</c> per second. A stalled client thus delays the others by at most the
/// budget before it is closed, and a burst of slow ones cannot stall dispatch for long. Used by the
/// dispatch loop only (not thread-safe).
/// </summary>
internal sealed class DispatchBudget
{
    private readonly TimeSpan _capacity;
    private readonly TimeProvider _time;
    private TimeSpan _available;
    private long _refilledAt;

    /// <summary>Creates a full budget of <paramref name="capacity"/>.</summary>
    public DispatchBudget(TimeSpan capacity, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _capacity = capacity;
        _time = time;
        _available = capacity;
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>Takes all that is available now (after refilling for the time passed).</summary>
    public TimeSpan TakeAll()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_refilledAt, now);
        _refilledAt = now;
        var refill = TimeSpan.FromTicks((long)(_capacity.Ticks * Math.Min(elapsed.TotalSeconds, 1.0)));
        _available = _available + refill > _capacity ? _capacity : _available + refill;
        var taken = _available;
        _available = TimeSpan.Zero;
        return taken;
    }

    /// <summary>Gives back what a wait did not use.</summary>
    public void Return(TimeSpan unused)
    {
        if (unused > TimeSpan.Zero)
        {
            _available = _available + unused > _capacity ? _capacity : _available + unused;
        }
    }
}
