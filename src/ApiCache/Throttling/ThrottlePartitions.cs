using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace ApiCache.Throttling;

/// <summary>
/// The limiters of one rule: one per User-Agent string (or one for the whole rule). Memory is
/// bounded: at most <see cref="MaxPartitions"/> User-Agents get their own limiter; when the table is
/// full, idle limiters (full buckets, nothing in flight) are dropped at most once per
/// <see cref="SweepInterval"/>, and User-Agents that still find no room share one overflow limiter —
/// a client cycling through random User-Agents is therefore throttled as one.
/// </summary>
/// <remarks>
/// Dropped limiters are not disposed: a request may have fetched one just before the sweep, and
/// these limiters own nothing that needs releasing (no timers, no queues).
/// </remarks>
internal sealed class ThrottlePartitions : IDisposable
{
    /// <summary>The most User-Agent strings with a limiter of their own, per rule.</summary>
    public const int MaxPartitions = 10_000;

    /// <summary>How often a full table may be swept for idle limiters.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly Func<RateLimiter> _create;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, RateLimiter>? _partitions;
    private readonly RateLimiter _shared;
    private readonly Lock _sweepGate = new();
    private long _lastSweep;

    /// <summary>Limiters made by <paramref name="create"/>: one per key when <paramref name="perKey"/>, else one for all.</summary>
    public ThrottlePartitions(Func<RateLimiter> create, bool perKey, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(time);
        _create = create;
        _time = time;
        _shared = create();
        _partitions = perKey ? new ConcurrentDictionary<string, RateLimiter>(StringComparer.Ordinal) : null;
        _lastSweep = time.GetTimestamp();
    }

    /// <summary>How many keys have a limiter of their own.</summary>
    public int Count => _partitions?.Count ?? 0;

    /// <summary>The limiter of <paramref name="key"/>.</summary>
    public RateLimiter For(string key)
    {
        if (_partitions is null)
        {
            return _shared;
        }

        if (_partitions.TryGetValue(key, out var limiter))
        {
            return limiter;
        }

        if (_partitions.Count >= MaxPartitions && !Sweep())
        {
            return _shared;
        }

        // GetOrAdd may create a limiter it then discards when two requests race; that one owns nothing.
        return _partitions.GetOrAdd(key, static (_, create) => create(), _create);
    }

    /// <summary>Disposes every limiter (the rule was replaced or removed).</summary>
    public void Dispose()
    {
        _shared.Dispose();
        if (_partitions is not null)
        {
            foreach (var pair in _partitions)
            {
                pair.Value.Dispose();
            }
        }
    }

    /// <summary>Drops idle limiters if the last sweep is long enough ago; whether there is room now.</summary>
    private bool Sweep()
    {
        lock (_sweepGate)
        {
            var now = _time.GetTimestamp();
            if (_partitions!.Count < MaxPartitions)
            {
                return true;
            }

            if (_time.GetElapsedTime(_lastSweep, now) < SweepInterval)
            {
                return false;
            }

            _lastSweep = now;
            foreach (var pair in _partitions)
            {
                if (pair.Value.IdleDuration is not null)
                {
                    _partitions.TryRemove(pair);
                }
            }

            return _partitions.Count < MaxPartitions;
        }
    }
}
