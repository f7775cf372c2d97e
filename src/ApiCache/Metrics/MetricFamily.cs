using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Numerics;
using System.Text;

namespace ApiCache.Metrics;

/// <summary>
/// Everything the exporter keeps for one instrument: its Prometheus name and header, and one
/// <see cref="MetricSeries"/> per label set, at most <c>maxSeries</c> of them.
/// </summary>
/// <remarks>
/// Measurements arrive concurrently. A measurement for an existing label set formats its tags into a
/// stack buffer and finds the series by span (no allocation for string, number and enum tag values);
/// only a new label set allocates its key string and takes <c>_addLock</c>.
/// </remarks>
internal sealed class MetricFamily
{
    /// <summary>The default buckets of the Prometheus client libraries.</summary>
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Label sets up to this many characters are formatted on the stack.</summary>
    private const int StackKeyChars = 256;

    private readonly ConcurrentDictionary<string, MetricSeries> _series = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MetricSeries>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Lock _addLock = new();
    private readonly int _maxSeries;
    private readonly bool _integral;
    private readonly double[] _bounds;
    private readonly byte[][] _bucketLabels;
    private readonly byte[] _nameUtf8;
    private readonly byte[] _header;
    private int _seriesCount;
    private long _droppedMeasurements;
    private long _generation;

    private MetricFamily(Instrument instrument, InstrumentKind kind, bool integral, double[] bounds, int maxSeries)
    {
        Kind = kind;
        MeterName = instrument.Meter.Name;
        _integral = integral;
        _bounds = bounds;
        _maxSeries = maxSeries;
        _lookup = _series.GetAlternateLookup<ReadOnlySpan<char>>();

        string name = PrometheusText.SanitizeMetricName(instrument.Name);
        if (kind is InstrumentKind.Counter or InstrumentKind.ObservableCounter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        Name = name;
        _nameUtf8 = Encoding.UTF8.GetBytes(name);

        string type = kind switch
        {
            InstrumentKind.Counter or InstrumentKind.ObservableCounter => "counter",
            InstrumentKind.Histogram => "histogram",
            _ => "gauge",
        };
        var header = new StringBuilder();
        if (!string.IsNullOrEmpty(instrument.Description))
        {
            header.Append("# HELP ").Append(name).Append(' ').Append(PrometheusText.EscapeHelp(instrument.Description)).Append('\n');
        }

        header.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        _header = Encoding.UTF8.GetBytes(header.ToString());

        _bucketLabels = new byte[bounds.Length + 1][];
        for (int i = 0; i < bounds.Length; i++)
        {
            var writer = new ArrayBufferWriter<byte>();
            var prometheus = new PrometheusWriter(writer);
            prometheus.Write("le=\""u8);
            prometheus.Write(bounds[i]);
            prometheus.Write("\""u8);
            _bucketLabels[i] = writer.WrittenSpan.ToArray();
        }

        _bucketLabels[bounds.Length] = "le=\"+Inf\""u8.ToArray();
    }

    /// <summary>The Prometheus family name (with <c>_total</c> for counters).</summary>
    public string Name { get; }

    /// <summary>The name of the instrument's meter; orders families that share a name.</summary>
    public string MeterName { get; }

    /// <summary>The kind of instrument.</summary>
    public InstrumentKind Kind { get; }

    /// <summary>Whether values come from observation callbacks at scrape time.</summary>
    public bool IsObservable => Kind is InstrumentKind.ObservableCounter or InstrumentKind.ObservableUpDownCounter or InstrumentKind.ObservableGauge;

    /// <summary>Measurements dropped because their label set would exceed the series limit.</summary>
    public long DroppedMeasurements => Interlocked.Read(ref _droppedMeasurements);

    /// <summary>
    /// Creates the family for <paramref name="instrument"/>, or returns <see langword="null"/> for an
    /// instrument type or value type the exporter does not support.
    /// </summary>
    public static MetricFamily? TryCreate(Instrument instrument, int maxSeries)
    {
        Type type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        Type definition = type.GetGenericTypeDefinition();
        InstrumentKind? kind =
            definition == typeof(Counter<>) ? InstrumentKind.Counter
            : definition == typeof(UpDownCounter<>) ? InstrumentKind.UpDownCounter
            : definition == typeof(Gauge<>) ? InstrumentKind.Gauge
            : definition == typeof(Histogram<>) ? InstrumentKind.Histogram
            : definition == typeof(ObservableCounter<>) ? InstrumentKind.ObservableCounter
            : definition == typeof(ObservableUpDownCounter<>) ? InstrumentKind.ObservableUpDownCounter
            : definition == typeof(ObservableGauge<>) ? InstrumentKind.ObservableGauge
            : null;
        if (kind is null)
        {
            return null;
        }

        Type valueType = type.GetGenericArguments()[0];
        bool integral = valueType == typeof(byte) || valueType == typeof(short) || valueType == typeof(int) || valueType == typeof(long);
        bool floating = valueType == typeof(float) || valueType == typeof(double) || valueType == typeof(decimal);
        if (!integral && !floating)
        {
            return null;
        }

        double[] bounds = kind == InstrumentKind.Histogram ? GetBucketBounds(instrument) : [];

        // Histogram sums are kept as doubles whatever the value type.
        return new MetricFamily(instrument, kind.Value, integral && kind != InstrumentKind.Histogram, bounds, maxSeries);
    }

    /// <summary>Records a measurement of an integral instrument.</summary>
    public void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!_integral)
        {
            Record((double)value, tags);
            return;
        }

        MetricSeries? series = GetOrAddSeries(tags);
        if (series is null)
        {
            return;
        }

        if (Kind is InstrumentKind.Counter or InstrumentKind.UpDownCounter)
        {
            series.Add(value);
        }
        else
        {
            series.Generation = _generation;
            series.Set(value);
        }
    }

    /// <summary>Records a measurement of a floating-point instrument (or any histogram).</summary>
    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        MetricSeries? series = GetOrAddSeries(tags);
        if (series is null)
        {
            return;
        }

        switch (Kind)
        {
            case InstrumentKind.Counter or InstrumentKind.UpDownCounter:
                series.Add(value);
                break;
            case InstrumentKind.Histogram:
                series.Observe(GetBucketIndex(value), value);
                break;
            default:
                series.Generation = _generation;
                series.Set(value);
                break;
        }
    }

    /// <summary>
    /// Starts an observation round of an observable instrument; series not set during the round are
    /// removed at the next <see cref="Write"/>. Called on the scrape thread, under the scrape lock.
    /// </summary>
    public void BeginObservation() => _generation++;

    /// <summary>Writes HELP, TYPE and the samples, series sorted by label set; nothing when there is no series.</summary>
    public void Write(PrometheusWriter writer)
    {
        List<MetricSeries> snapshot = new(Volatile.Read(ref _seriesCount));
        foreach (KeyValuePair<string, MetricSeries> pair in _series)
        {
            if (IsObservable && pair.Value.Generation != _generation)
            {
                RemoveSeries(pair.Key);
                continue;
            }

            snapshot.Add(pair.Value);
        }

        if (snapshot.Count == 0)
        {
            return;
        }

        snapshot.Sort(static (x, y) => string.CompareOrdinal(x.Labels, y.Labels));
        writer.Write(_header);
        foreach (MetricSeries series in snapshot)
        {
            if (Kind == InstrumentKind.Histogram)
            {
                WriteHistogram(writer, series);
            }
            else
            {
                writer.WriteSeriesName(_nameUtf8, default, series.LabelsUtf8, default);
                if (_integral)
                {
                    writer.Write(series.LongValue);
                }
                else
                {
                    writer.Write(series.DoubleValue);
                }

                writer.Write("\n"u8);
            }
        }
    }

    private void WriteHistogram(PrometheusWriter writer, MetricSeries series)
    {
        long cumulative = 0;
        for (int i = 0; i < _bucketLabels.Length; i++)
        {
            cumulative += series.GetBucketCount(i);
            writer.WriteSeriesName(_nameUtf8, "_bucket"u8, series.LabelsUtf8, _bucketLabels[i]);
            writer.Write(cumulative);
            writer.Write("\n"u8);
        }

        writer.WriteSeriesName(_nameUtf8, "_sum"u8, series.LabelsUtf8, default);
        writer.Write(series.DoubleValue);
        writer.Write("\n"u8);

        // The count is the +Inf bucket, so the two always agree even while measurements arrive.
        writer.WriteSeriesName(_nameUtf8, "_count"u8, series.LabelsUtf8, default);
        writer.Write(cumulative);
        writer.Write("\n"u8);
    }

    private MetricSeries? GetOrAddSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        Span<char> buffer = stackalloc char[StackKeyChars];
        char[]? rented = null;
        try
        {
            int written;
            while (!LabelSet.TryFormat(tags, buffer, out written))
            {
                int size = buffer.Length * 2;
                if (rented is not null)
                {
                    ArrayPool<char>.Shared.Return(rented);
                }

                rented = ArrayPool<char>.Shared.Rent(size);
                buffer = rented;
            }

            ReadOnlySpan<char> key = buffer[..written];
            return _lookup.TryGetValue(key, out MetricSeries? series) ? series : AddSeries(key);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private MetricSeries? AddSeries(ReadOnlySpan<char> key)
    {
        // Checked before the lock too, so a flood of new label sets past the limit does not contend on it.
        if (Volatile.Read(ref _seriesCount) >= _maxSeries)
        {
            Interlocked.Increment(ref _droppedMeasurements);
            return null;
        }

        lock (_addLock)
        {
            if (_lookup.TryGetValue(key, out MetricSeries? existing))
            {
                return existing;
            }

            if (_seriesCount >= _maxSeries)
            {
                Interlocked.Increment(ref _droppedMeasurements);
                return null;
            }

            // The one allocation of a label set: its key string (and its UTF-8 bytes).
            var series = new MetricSeries(new string(key), Kind == InstrumentKind.Histogram ? _bounds.Length + 1 : 0);
            _series[series.Labels] = series;
            Volatile.Write(ref _seriesCount, _seriesCount + 1);
            return series;
        }
    }

    private void RemoveSeries(string key)
    {
        lock (_addLock)
        {
            if (_series.TryRemove(key, out _))
            {
                Volatile.Write(ref _seriesCount, _seriesCount - 1);
            }
        }
    }

    private int GetBucketIndex(double value)
    {
        if (double.IsNaN(value))
        {
            return _bounds.Length;
        }

        // An equal bound is that bucket (le is inclusive); otherwise the first bound above the value.
        int index = Array.BinarySearch(_bounds, value);
        return index >= 0 ? index : ~index;
    }

    private static double[] GetBucketBounds(Instrument instrument)
    {
        IEnumerable<double>? advised = instrument switch
        {
            Instrument<byte> typed => ToDoubles(typed.Advice?.HistogramBucketBoundaries),
            Instrument<short> typed => ToDoubles(typed.Advice?.HistogramBucketBoundaries),
            Instrument<int> typed => ToDoubles(typed.Advice?.HistogramBucketBoundaries),
            Instrument<long> typed => ToDoubles(typed.Advice?.HistogramBucketBoundaries),
            Instrument<float> typed => ToDoubles(typed.Advice?.HistogramBucketBoundaries),
            Instrument<double> typed => ToDoubles(typed.Advice?.HistogramBucketBoundaries),
            Instrument<decimal> typed => ToDoubles(typed.Advice?.HistogramBucketBoundaries),
            _ => null,
        };

        // +Inf is always the last bucket, so it is not a bound; NaN is no bound at all.
        return advised is null
            ? DefaultBuckets
            : [.. advised.Where(double.IsFinite).Distinct().Order()];
    }

    private static IEnumerable<double>? ToDoubles<T>(IReadOnlyList<T>? values)
        where T : struct, INumberBase<T> =>
        values?.Select(static value => double.CreateChecked(value));
}
