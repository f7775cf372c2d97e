using System.Text;

namespace ApiCache.Metrics;

/// <summary>
/// The aggregated value of one instrument for one label set. Updated concurrently from many threads
/// with <see cref="Interlocked"/> operations only; read at scrape time.
/// </summary>
internal sealed class MetricSeries
{
    private readonly long[]? _bucketCounts;
    private long _longValue;

    /// <summary>The value of a non-integral counter or gauge, or the sum of a histogram.</summary>
    private double _doubleValue;

    /// <summary>Creates a series; <paramref name="bucketCount"/> is 0 except for histograms.</summary>
    public MetricSeries(string labels, int bucketCount)
    {
        Labels = labels;
        LabelsUtf8 = Encoding.UTF8.GetBytes(labels);
        _bucketCounts = bucketCount > 0 ? new long[bucketCount] : null;
    }

    /// <summary>The label set body, <c>a="x",b="y"</c>; the series key.</summary>
    public string Labels { get; }

    /// <summary><see cref="Labels"/> as UTF-8, encoded once.</summary>
    public byte[] LabelsUtf8 { get; }

    /// <summary>
    /// The observation round that last set this series, for observable instruments: a series not
    /// reported in the latest round is gone. Only touched on the scrape thread, under the scrape lock.
    /// </summary>
    public long Generation { get; set; }

    /// <summary>The value of an integral counter or gauge.</summary>
    public long LongValue => Interlocked.Read(ref _longValue);

    /// <summary>The value of a non-integral counter or gauge, or the sum of a histogram.</summary>
    public double DoubleValue => Volatile.Read(ref _doubleValue);

    /// <summary>Adds to an integral value.</summary>
    public void Add(long value) => Interlocked.Add(ref _longValue, value);

    /// <summary>Adds to a non-integral value with a compare-and-swap loop.</summary>
    public void Add(double value)
    {
        double current = Volatile.Read(ref _doubleValue);
        while (true)
        {
            double observed = Interlocked.CompareExchange(ref _doubleValue, current + value, current);

            // Compare bits, not values: NaN != NaN, and 0.0 == -0.0.
            if (BitConverter.DoubleToInt64Bits(observed) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }

            current = observed;
        }
    }

    /// <summary>Replaces an integral value.</summary>
    public void Set(long value) => Interlocked.Exchange(ref _longValue, value);

    /// <summary>Replaces a non-integral value.</summary>
    public void Set(double value) => Interlocked.Exchange(ref _doubleValue, value);

    /// <summary>Counts a histogram measurement in bucket <paramref name="bucket"/> and adds it to the sum.</summary>
    public void Observe(int bucket, double value)
    {
        Interlocked.Increment(ref _bucketCounts![bucket]);
        Add(value);
    }

    /// <summary>The (non-cumulative) count of histogram bucket <paramref name="bucket"/>.</summary>
    public long GetBucketCount(int bucket) => Interlocked.Read(ref _bucketCounts![bucket]);
}
