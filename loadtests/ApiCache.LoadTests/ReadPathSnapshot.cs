using System.Globalization;
using System.Text;

namespace ApiCache.LoadTests;

/// <summary>
/// The sidecar's read-path counters of one cached resource, read from its Prometheus text
/// (<c>apicache_cache_reads_total{resource,verb,path}</c>, and the sum and count of
/// <c>apicache_cache_read_wait_seconds</c>): two snapshots around a run give the run's share of reads
/// by path and the mean time consistent reads spent on the revision probe and the wait.
/// </summary>
internal sealed record ReadPathSnapshot(IReadOnlyDictionary<string, double> Reads, double WaitSeconds, double Waits)
{
    private const string ReadsFamily = "apicache_cache_reads_total";
    private const string WaitFamily = "apicache_cache_read_wait_seconds";

    /// <summary>Reads the counters of <paramref name="resource"/> from <c>/metrics</c>.</summary>
    public static async Task<ReadPathSnapshot> ScrapeAsync(HttpClient sidecar, string resource)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        var text = await sidecar.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var reads = new Dictionary<string, double>(StringComparer.Ordinal);
        double waitSum = 0, waitCount = 0;
        foreach (var line in text.Split('\n'))
        {
            if (!TryParse(line, out var name, out var labels, out var value) || labels.GetValueOrDefault("resource") != resource)
            {
                continue;
            }

            switch (name)
            {
                case ReadsFamily:
                    var path = labels.GetValueOrDefault("path") ?? "?";
                    reads[path] = reads.GetValueOrDefault(path) + value;
                    break;
                case WaitFamily + "_sum":
                    waitSum += value;
                    break;
                case WaitFamily + "_count":
                    waitCount += value;
                    break;
                default:
                    break;
            }
        }

        return new ReadPathSnapshot(reads, waitSum, waitCount);
    }

    /// <summary>What happened between <paramref name="before"/> and this snapshot.</summary>
    public ReadPathSnapshot Since(ReadPathSnapshot before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var reads = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (path, count) in Reads)
        {
            var delta = count - before.Reads.GetValueOrDefault(path);
            if (delta > 0)
            {
                reads[path] = delta;
            }
        }

        return new ReadPathSnapshot(reads, WaitSeconds - before.WaitSeconds, Waits - before.Waits);
    }

    /// <summary>The shares by path, largest first, e.g. <c>cache_fresh 100% (12,345)</c>; "none" when the sidecar saw no read.</summary>
    public string DescribeShares()
    {
        var total = Reads.Values.Sum();
        if (total <= 0)
        {
            return "none";
        }

        var text = new StringBuilder();
        foreach (var (path, count) in Reads.OrderByDescending(r => r.Value))
        {
            text.Append(text.Length == 0 ? "" : ", ")
                .Append(CultureInfo.InvariantCulture, $"{path} {100 * count / total:0.#}% ({count:N0})");
        }

        return text.ToString();
    }

    /// <summary>Mean wait of consistent reads (revision probe + catching up), ms; "-" when none waited.</summary>
    public string DescribeMeanWait() =>
        Waits > 0 ? (1000 * WaitSeconds / Waits).ToString("0.00", CultureInfo.InvariantCulture) : "-";

    /// <summary>Parses one sample line <c>name{a="b",c="d"} value [timestamp]</c>.</summary>
    private static bool TryParse(string line, out string name, out Dictionary<string, string> labels, out double value)
    {
        name = "";
        labels = new Dictionary<string, string>(StringComparer.Ordinal);
        value = 0;
        var open = line.IndexOf('{', StringComparison.Ordinal);
        var close = line.LastIndexOf('}');
        if (line.StartsWith('#') || open <= 0 || close < open)
        {
            return false;
        }

        name = line[..open];
        foreach (var pair in line[(open + 1)..close].Split("\","))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                labels[pair[..eq]] = pair[(eq + 1)..].Trim('"');
            }
        }

        var rest = line[(close + 1)..].Trim().Split(' ');
        return double.TryParse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
