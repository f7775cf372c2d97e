namespace ApiCache.Tests.Infrastructure;

/// <summary>
/// A manually driven <see cref="TimeProvider"/> for tests: time stands still until <see cref="Advance(TimeSpan)"/>
/// or <see cref="SetUtcNow(DateTimeOffset)"/> moves it, and timers fire synchronously on the advancing
/// thread, in due-time order (ties in scheduling order), with <see cref="GetUtcNow"/> reading each timer's
/// due time while its callback runs. Periodic timers fire once per period passed. A timer created or
/// changed with a due time that has already come (zero) fires at once, on the calling thread.
/// </summary>
internal sealed class FakeClock : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<FakeTimer> _scheduled = [];
    private DateTimeOffset _now;
    private long _nextOrder;

    /// <summary>Starts at 2000-01-01T00:00:00Z.</summary>
    public FakeClock()
        : this(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Starts at <paramref name="startTime"/>.</summary>
    public FakeClock(DateTimeOffset startTime)
    {
        _now = startTime.ToUniversalTime();
    }

    /// <inheritdoc/>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Timestamps are <see cref="DateTimeOffset.UtcTicks"/> of the fake time.</summary>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Number of timers waiting to fire.</summary>
    public int ScheduledTimerCount
    {
        get
        {
            lock (_gate)
            {
                return _scheduled.Count;
            }
        }
    }

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <inheritdoc/>
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <summary>Moves time forward by <paramref name="delta"/>, firing every timer that falls due on the way.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + delta;
        }

        MoveTo(target);
    }

    /// <summary>Moves time forward to <paramref name="value"/> (never back), firing every timer due by then.</summary>
    public void SetUtcNow(DateTimeOffset value)
    {
        lock (_gate)
        {
            if (value < _now)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"the fake clock cannot go back from {_now:O}");
            }
        }

        MoveTo(value);
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Fires due timers one by one (time set to each one's due time) until none is due by <paramref name="target"/>.</summary>
    private void MoveTo(DateTimeOffset target)
    {
        // Bounded: each turn fires one timer, and a periodic timer's next due time is strictly later.
        while (true)
        {
            FakeTimer? next = null;
            lock (_gate)
            {
                foreach (var timer in _scheduled)
                {
                    if (timer.Due <= target && (next is null || timer.Due < next.Due || (timer.Due == next.Due && timer.Order < next.Order)))
                    {
                        next = timer;
                    }
                }

                if (next is null)
                {
                    if (target > _now)
                    {
                        _now = target;
                    }

                    return;
                }

                if (next.Due > _now)
                {
                    _now = next.Due;
                }

                if (next.Period > TimeSpan.Zero)
                {
                    next.Due += next.Period;
                    next.Order = _nextOrder++;
                }
                else
                {
                    _scheduled.Remove(next);
                }
            }

            next.Fire();
        }
    }

    /// <summary>Schedules (or, with an infinite due time, unschedules) <paramref name="timer"/>; fires it at once when already due.</summary>
    private void Schedule(FakeTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        var fireNow = false;
        lock (_gate)
        {
            _scheduled.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            timer.Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            timer.Due = _now + dueTime;
            timer.Order = _nextOrder++;
            if (dueTime > TimeSpan.Zero || timer.Period > TimeSpan.Zero)
            {
                _scheduled.Add(timer);
            }

            if (dueTime == TimeSpan.Zero)
            {
                fireNow = true;
                if (timer.Period > TimeSpan.Zero)
                {
                    timer.Due += timer.Period;
                }
            }
        }

        if (fireNow)
        {
            timer.Fire();
        }
    }

    private void Unschedule(FakeTimer timer)
    {
        lock (_gate)
        {
            _scheduled.Remove(timer);
        }
    }

    /// <summary>A timer of the fake clock.</summary>
    private sealed class FakeTimer(FakeClock clock, TimerCallback callback, object? state) : ITimer
    {
        private bool _disposed;

        /// <summary>When it fires next (guarded by the clock's lock).</summary>
        public DateTimeOffset Due { get; set; }

        /// <summary>Zero for a one-shot timer (guarded by the clock's lock).</summary>
        public TimeSpan Period { get; set; }

        /// <summary>Scheduling order, breaking ties between equal due times (guarded by the clock's lock).</summary>
        public long Order { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            ValidateSpan(dueTime, nameof(dueTime));
            ValidateSpan(period, nameof(period));
            if (Volatile.Read(ref _disposed))
            {
                return false;
            }

            clock.Schedule(this, dueTime, period);
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            Volatile.Write(ref _disposed, true);
            clock.Unschedule(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private static void ValidateSpan(TimeSpan value, string name)
        {
            if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(name, value, "must be non-negative or infinite");
            }
        }
    }
}
