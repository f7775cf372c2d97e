using ApiCache.Upstream;

namespace ApiCache.Balancing;

/// <summary>
/// What the pool knows about one upstream endpoint: requests in flight, the health state machine
/// (active check streaks and passive failures in a window), a 429 cool-down, and requests per
/// second over the last minute. Times are ticks of the pool's <see cref="TimeProvider"/> timestamp.
/// Thread-safe: the counter of requests in flight is atomic, the rest is guarded by a lock.
/// </summary>
internal sealed class EndpointHealth(UpstreamEndpoint endpoint)
{
    private readonly Lock _gate = new();
    private readonly Queue<long> _failures = new();
    private long _outstanding;
    private long _lastStart;
    private bool _healthy = true;
    private int _checkSuccesses;
    private int _checkFailures;
    private long _cooldownUntil = long.MinValue;
    private long _recoverAt = long.MaxValue;

    /// <summary>The endpoint.</summary>
    public UpstreamEndpoint Endpoint { get; } = endpoint;

    /// <summary>Requests counted per second, for the balance figure.</summary>
    public RequestCountWindow Requests { get; } = new();

    /// <summary>Forwarded requests in flight to this endpoint.</summary>
    public long Outstanding => Interlocked.Read(ref _outstanding);

    /// <summary>The pool's sequence number of the last request started here (a tie-breaker for the choice: least recently used first).</summary>
    public long LastStart => Interlocked.Read(ref _lastStart);

    /// <summary>A request starts (the pool's <paramref name="sequence"/> number): one more in flight.</summary>
    public void Start(long sequence)
    {
        Interlocked.Increment(ref _outstanding);
        Interlocked.Exchange(ref _lastStart, sequence);
    }

    /// <summary>A request ended: one fewer in flight.</summary>
    public void End() => Interlocked.Decrement(ref _outstanding);

    /// <summary>Healthy at <paramref name="now"/>: not failed by checks or by passive failures (or passed their ejection time when checks are off).</summary>
    public bool IsHealthy(long now)
    {
        lock (_gate)
        {
            return IsHealthyLocked(now);
        }
    }

    /// <summary>Healthy and not cooling down after a 429 at <paramref name="now"/>.</summary>
    public bool IsAvailable(long now)
    {
        lock (_gate)
        {
            return now >= _cooldownUntil && IsHealthyLocked(now);
        }
    }

    /// <summary>Cooling down after a 429 at <paramref name="now"/>.</summary>
    public bool IsCoolingDown(long now)
    {
        lock (_gate)
        {
            return now < _cooldownUntil;
        }
    }

    /// <summary>Active checks recorded so far (diagnostics).</summary>
    public long Checks { get; private set; }

    /// <summary>Records an active check; returns the new health when it changed, else null.</summary>
    public bool? RecordCheck(bool ok, int healthyThreshold, int unhealthyThreshold)
    {
        lock (_gate)
        {
            Checks++;
            if (ok)
            {
                _checkFailures = 0;
                _checkSuccesses++;
                if (!_healthy && _checkSuccesses >= healthyThreshold)
                {
                    _healthy = true;
                    _recoverAt = long.MaxValue;
                    _failures.Clear();
                    return true;
                }
            }
            else
            {
                _checkSuccesses = 0;
                _checkFailures++;
                if (_healthy && _checkFailures >= unhealthyThreshold)
                {
                    _healthy = false;
                    return false;
                }
            }

            return null;
        }
    }

    /// <summary>
    /// Records a failure seen on real traffic at <paramref name="now"/>; when <paramref name="threshold"/>
    /// failures fall within <paramref name="window"/> the endpoint becomes unhealthy (returns true).
    /// <paramref name="recoverAfter"/> (checks off) is when it is tried again by itself.
    /// </summary>
    public bool RecordFailure(long now, long window, int threshold, long? recoverAfter)
    {
        lock (_gate)
        {
            _failures.Enqueue(now);
            while (_failures.Count > 0 && _failures.Peek() <= now - window)
            {
                _failures.Dequeue();
            }

            if (!_healthy || _failures.Count < threshold)
            {
                return false;
            }

            _healthy = false;
            _checkSuccesses = 0;
            _recoverAt = recoverAfter is { } after ? now + after : long.MaxValue;
            return true;
        }
    }

    private bool IsHealthyLocked(long now)
    {
        if (!_healthy && now >= _recoverAt)
        {
            _healthy = true;
            _recoverAt = long.MaxValue;
            _failures.Clear();
        }

        return _healthy;
    }

    /// <summary>Takes the endpoint out of new work until <paramref name="until"/> (a 429's Retry-After); a longer cool-down already running is kept.</summary>
    public void CoolDown(long until)
    {
        lock (_gate)
        {
            if (until > _cooldownUntil)
            {
                _cooldownUntil = until;
            }
        }
    }
}
