namespace ApiCache.Configuration;

/// <summary>The Prometheus text endpoint.</summary>
public sealed class MetricsOptions
{
    /// <summary>Serve metrics at <see cref="Path"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The path of the metrics endpoint.</summary>
    public string Path { get; set; } = "/metrics";

    /// <summary>
    /// The most label sets kept per instrument; measurements for further label sets are dropped
    /// (and counted), so a flood of distinct label values cannot grow memory without bound.
    /// </summary>
    public int MaxSeriesPerInstrument { get; set; } = 2000;
}
