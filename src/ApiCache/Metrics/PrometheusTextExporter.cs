using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.IO.Pipelines;

namespace ApiCache.Metrics;

/// <summary>
/// Aggregates the instruments of chosen <see cref="Meter"/>s through a <see cref="MeterListener"/> and
/// writes them in the Prometheus text format, version 0.0.4.
/// </summary>
/// <remarks>
/// Counters and up-down counters sum their measurements; gauges keep the last one; observable
/// instruments are observed at each scrape and their values replace the previous ones; histograms
/// count into the buckets of the instrument's advice, else the Prometheus default buckets. Each
/// instrument keeps at most <c>maxSeriesPerInstrument</c> label sets: measurements for further label
/// sets are dropped and counted in <c>apicache_metrics_dropped_series_total{instrument="..."}</c>.
/// </remarks>
internal sealed class PrometheusTextExporter : IDisposable
{
    /// <summary>The content type of the text format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private const string DroppedSeriesName = "apicache_metrics_dropped_series_total";

    private readonly HashSet<string> _meterNames;
    private readonly int _maxSeriesPerInstrument;
    private readonly object? _meterScope;
    private readonly ConcurrentDictionary<Instrument, MetricFamily> _families = new();
    private readonly MeterListener _listener;

    /// <summary>Scrapes one at a time: observation rounds and stale-series removal must not interleave.</summary>
    private readonly Lock _scrapeLock = new();

    /// <summary>Starts listening to every instrument, present and future, of the meters named.</summary>
    /// <param name="meterNames">Names of the meters to export, matched exactly.</param>
    /// <param name="maxSeriesPerInstrument">The most label sets kept per instrument; at least 1.</param>
    /// <param name="meterScope">
    /// When set, only meters with this <see cref="Meter.Scope"/> are exported: pass a host's
    /// <see cref="IMeterFactory"/> so that two hosts in one process (tests, several embedded
    /// servers) each export only their own meters.
    /// </param>
    public PrometheusTextExporter(IEnumerable<string> meterNames, int maxSeriesPerInstrument, object? meterScope = null)
    {
        _meterScope = meterScope;
        ArgumentNullException.ThrowIfNull(meterNames);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSeriesPerInstrument, 1);
        _meterNames = new HashSet<string>(meterNames, StringComparer.Ordinal);
        _maxSeriesPerInstrument = maxSeriesPerInstrument;

        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = OnMeasurementsCompleted,
        };
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => (state as MetricFamily)?.Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => (state as MetricFamily)?.Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => (state as MetricFamily)?.Record(value, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => (state as MetricFamily)?.Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => (state as MetricFamily)?.Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => (state as MetricFamily)?.Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => (state as MetricFamily)?.Record((double)value, tags));

        // Publishes the instruments that already exist, so everything above must be ready.
        _listener.Start();
    }

    /// <summary>
    /// Observes the observable instruments, then writes every family with at least one series, sorted
    /// by name, as UTF-8. In ASP.NET Core, pass <c>HttpResponse.BodyWriter</c> and flush it afterwards.
    /// </summary>
    /// <remarks>
    /// Exceptions thrown by observable instruments' callbacks propagate, as the
    /// <see cref="AggregateException"/> of <see cref="MeterListener.RecordObservableInstruments"/>.
    /// When instruments of two meters map to the same name, only the first (by meter name) is written.
    /// </remarks>
    public void Write(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var output = new PrometheusWriter(writer);
        lock (_scrapeLock)
        {
            foreach (MetricFamily family in _families.Values)
            {
                if (family.IsObservable)
                {
                    family.BeginObservation();
                }
            }

            _listener.RecordObservableInstruments();

            MetricFamily[] families = [.. _families.Values];
            Array.Sort(families, static (x, y) =>
            {
                int byName = string.CompareOrdinal(x.Name, y.Name);
                return byName != 0 ? byName : string.CompareOrdinal(x.MeterName, y.MeterName);
            });

            bool droppedWritten = false;
            string? previous = null;
            foreach (MetricFamily family in families)
            {
                if (family.Name == previous)
                {
                    continue;
                }

                previous = family.Name;
                if (!droppedWritten && string.CompareOrdinal(family.Name, DroppedSeriesName) > 0)
                {
                    WriteDroppedSeries(output, families);
                    droppedWritten = true;
                }

                family.Write(output);
            }

            if (!droppedWritten)
            {
                WriteDroppedSeries(output, families);
            }
        }
    }

    /// <summary>Writes as <see cref="Write(IBufferWriter{byte})"/> does, into pooled buffers, then copies them to <paramref name="stream"/>.</summary>
    public async Task WriteAsync(Stream stream, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        PipeWriter pipe = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        Write(pipe);
        await pipe.FlushAsync(ct);
        await pipe.CompleteAsync();
    }

    /// <summary>Stops listening; later scrapes are empty.</summary>
    public void Dispose() => _listener.Dispose();

    /// <summary>
    /// Writes <c>apicache_metrics_dropped_series_total</c>, one series per instrument that dropped
    /// measurements; nothing when none did. Families sharing a name add up.
    /// </summary>
    private static void WriteDroppedSeries(PrometheusWriter output, MetricFamily[] sortedFamilies)
    {
        bool headerWritten = false;
        for (int i = 0; i < sortedFamilies.Length;)
        {
            string name = sortedFamilies[i].Name;
            long dropped = 0;
            for (; i < sortedFamilies.Length && sortedFamilies[i].Name == name; i++)
            {
                dropped += sortedFamilies[i].DroppedMeasurements;
            }

            if (dropped == 0)
            {
                continue;
            }

            if (!headerWritten)
            {
                output.Write("# HELP " + DroppedSeriesName + " Measurements dropped because their instrument already had the maximum number of label sets.\n# TYPE " + DroppedSeriesName + " counter\n");
                headerWritten = true;
            }

            output.Write(DroppedSeriesName + "{instrument=\"" + PrometheusText.EscapeLabelValue(name) + "\"} ");
            output.Write(dropped);
            output.Write("\n"u8);
        }
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!_meterNames.Contains(instrument.Meter.Name) || (_meterScope is not null && !ReferenceEquals(instrument.Meter.Scope, _meterScope)))
        {
            return;
        }

        MetricFamily? family = MetricFamily.TryCreate(instrument, _maxSeriesPerInstrument);
        if (family is null)
        {
            return;
        }

        _families[instrument] = family;
        listener.EnableMeasurementEvents(instrument, family);
    }

    private void OnMeasurementsCompleted(Instrument instrument, object? state) => _families.TryRemove(instrument, out _);
}
