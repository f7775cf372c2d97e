using System.Globalization;

namespace ApiCache.LoadTests;

/// <summary>Latencies (sorted, ms) and totals of one run.</summary>
internal sealed record LoadResult(double[] SortedLatencies, TimeSpan Elapsed, long Bytes)
{
    public double RequestsPerSecond => SortedLatencies.Length / Elapsed.TotalSeconds;

    public double Percentile(double p) =>
        SortedLatencies.Length == 0 ? double.NaN : SortedLatencies[Math.Min(SortedLatencies.Length - 1, (int)(p * SortedLatencies.Length))];

    public string ToMarkdownRow(string name) => string.Create(
        CultureInfo.InvariantCulture,
        $"| {name} | {SortedLatencies.Length} | {RequestsPerSecond:0} | {Percentile(0.5):0.00} | {Percentile(0.9):0.00} | {Percentile(0.99):0.00} | {SortedLatencies[^1]:0.00} | {Bytes / Elapsed.TotalSeconds / 1e6:0.0} |");
}
