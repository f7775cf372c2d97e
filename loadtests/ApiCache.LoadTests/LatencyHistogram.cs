using System.Diagnostics;

namespace ApiCache.LoadTests;

/// <summary>
/// Latencies recorded by many threads without locks or per-sample storage: log-spaced buckets 1%
/// wide from 1 µs to hours (a percentile is exact to 1%), plus the count and the maximum. Millions
/// of watch events per run cost a few kilobytes.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>Bucket growth factor: each bucket is 1% wider than the previous one.</summary>
    private const double Growth = 1.01;

    private const int Buckets = 2_400;

    private static readonly double LogGrowth = Math.Log(Growth);

    private static readonly double TicksPerMicrosecond = Stopwatch.Frequency / 1e6;

    private readonly long[] _counts = new long[Buckets];
    private long _count;
    private long _maxTicks;

    /// <summary>Samples recorded.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The largest sample, ms.</summary>
    public double MaxMilliseconds => Interlocked.Read(ref _maxTicks) / (TicksPerMicrosecond * 1000);

    /// <summary>Records a latency given in <see cref="Stopwatch"/> ticks (negative counts as zero).</summary>
    public void Record(long ticks)
    {
        var micros = Math.Max(1.0, ticks / TicksPerMicrosecond);
        var bucket = Math.Min(Buckets - 1, (int)(Math.Log(micros) / LogGrowth));
        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Increment(ref _count);
        var max = Interlocked.Read(ref _maxTicks);
        while (ticks > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxTicks, ticks, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    /// <summary>A histogram holding the samples of both (a snapshot: later records to either are not in it).</summary>
    public static LatencyHistogram Combine(LatencyHistogram first, LatencyHistogram second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var both = new LatencyHistogram();
        for (var i = 0; i < Buckets; i++)
        {
            both._counts[i] = Interlocked.Read(ref first._counts[i]) + Interlocked.Read(ref second._counts[i]);
        }

        both._count = first.Count + second.Count;
        both._maxTicks = Math.Max(Interlocked.Read(ref first._maxTicks), Interlocked.Read(ref second._maxTicks));
        return both;
    }

    /// <summary>The latency at or below which a share <paramref name="p"/> of the samples fall (upper edge of its bucket), ms; NaN when empty.</summary>
    public double Percentile(double p)
    {
        var total = Count;
        if (total == 0)
        {
            return double.NaN;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(p * total));
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return Math.Min(Math.Pow(Growth, i + 1) / 1000, MaxMilliseconds);
            }
        }

        return MaxMilliseconds;
    }
}
