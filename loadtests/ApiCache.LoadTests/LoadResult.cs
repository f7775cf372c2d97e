using System.Globalization;

namespace ApiCache.LoadTests;

/// <summary>
/// Latencies (sorted, ms) of the successful requests of one run, their body bytes and the run's
/// length; <paramref name="Failures"/> counts answers that were not 2xx (not in the latencies).
/// </summary>
internal sealed record LoadResult(double[] SortedLatencies, TimeSpan Elapsed, long Bytes, int Failures = 0, string FailureCodes = "")
{
    public int Requests => SortedLatencies.Length;

    public double RequestsPerSecond => SortedLatencies.Length / Elapsed.TotalSeconds;

    /// <summary>Body bytes read per second, in MB (10^6).</summary>
    public double MegabytesPerSecond => Bytes / Elapsed.TotalSeconds / 1e6;

    /// <summary>Mean latency of the successful requests, ms.</summary>
    public double MeanLatency => SortedLatencies.Length == 0 ? double.NaN : SortedLatencies.Average();

    public double Percentile(double p) =>
        SortedLatencies.Length == 0 ? double.NaN : SortedLatencies[Math.Min(SortedLatencies.Length - 1, (int)(p * SortedLatencies.Length))];

    public string ToMarkdownRow(string name) => string.Create(
        CultureInfo.InvariantCulture,
        $"| {name} | {SortedLatencies.Length} | {RequestsPerSecond:0} | {Percentile(0.5):0.00} | {Percentile(0.9):0.00} | {Percentile(0.99):0.00} | {(SortedLatencies.Length == 0 ? double.NaN : SortedLatencies[^1]):0.00} | {MegabytesPerSecond:0.0} |");
}
