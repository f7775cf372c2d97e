namespace ApiCache.Metrics;

/// <summary>The kinds of <see cref="System.Diagnostics.Metrics.Instrument"/> the exporter aggregates.</summary>
internal enum InstrumentKind
{
    /// <summary><c>Counter&lt;T&gt;</c>: measurements are summed; a Prometheus counter.</summary>
    Counter,

    /// <summary><c>UpDownCounter&lt;T&gt;</c>: measurements are summed; a Prometheus gauge.</summary>
    UpDownCounter,

    /// <summary><c>Gauge&lt;T&gt;</c>: the last measurement wins; a Prometheus gauge.</summary>
    Gauge,

    /// <summary><c>Histogram&lt;T&gt;</c>: bucket counts, sum and count; a Prometheus histogram.</summary>
    Histogram,

    /// <summary><c>ObservableCounter&lt;T&gt;</c>: the observed cumulative total replaces the value; a Prometheus counter.</summary>
    ObservableCounter,

    /// <summary><c>ObservableUpDownCounter&lt;T&gt;</c>: the observed total replaces the value; a Prometheus gauge.</summary>
    ObservableUpDownCounter,

    /// <summary><c>ObservableGauge&lt;T&gt;</c>: the observed value replaces the value; a Prometheus gauge.</summary>
    ObservableGauge,
}
