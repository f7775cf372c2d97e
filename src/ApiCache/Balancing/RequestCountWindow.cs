namespace ApiCache.Balancing;

/// <summary>
/// Requests counted over a sliding window of whole seconds (one minute by default): a ring of
/// per-second buckets, each stamped with its second so a stale bucket is reset when reused.
/// Used for the balance figure (max/min requests per endpoint over the last minute).
/// </summary>
internal sealed class RequestCountWindow
{
    private readonly Lock _gate = new();
    private readonly long[] _seconds;
    private readonly long[] _counts;

    /// <summary>Creates a window of <paramref name="seconds"/> one-second buckets.</summary>
    public RequestCountWindow(int seconds = 60)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 1);
        _seconds = new long[seconds];
        _counts = new long[seconds];
        Array.Fill(_seconds, long.MinValue);
    }

    /// <summary>Counts one request at <paramref name="second"/> (whole seconds on a monotonic clock).</summary>
    public void Add(long second)
    {
        var index = (int)((ulong)second % (ulong)_seconds.Length);
        lock (_gate)
        {
            if (_seconds[index] != second)
            {
                _seconds[index] = second;
                _counts[index] = 0;
            }

            _counts[index]++;
        }
    }

    /// <summary>Requests counted in the window that ends with <paramref name="second"/>.</summary>
    public long Count(long second)
    {
        long total = 0;
        lock (_gate)
        {
            for (var i = 0; i < _seconds.Length; i++)
            {
                if (_seconds[i] <= second && _seconds[i] > second - _seconds.Length)
                {
                    total += _counts[i];
                }
            }
        }

        return total;
    }
}
