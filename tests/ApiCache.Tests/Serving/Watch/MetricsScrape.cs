using System.Globalization;
using System.Text.RegularExpressions;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// One scrape of a proxy's <c>/metrics</c> (Prometheus text), parsed into series, so the watch tests
/// can read <c>apicache_watch_*</c> counters and gauges by name and any subset of their labels.
/// </summary>
internal sealed partial class MetricsScrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _series;

    private MetricsScrape(List<(string, Dictionary<string, string>, double)> series, string text)
    {
        _series = series;
        Text = text;
    }

    /// <summary>The scraped text, for assertion messages.</summary>
    public string Text { get; }

    /// <summary>Scrapes <c>/metrics</c> of the proxy at <paramref name="proxy"/>.</summary>
    public static async Task<MetricsScrape> ScrapeAsync(Uri proxy)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = proxy, Timeout = TimeSpan.FromSeconds(30) };
        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var series = new List<(string, Dictionary<string, string>, double)>();
        foreach (var line in text.Split('\n'))
        {
            var match = SeriesLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var labels = Label().Matches(match.Groups[2].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
            series.Add((match.Groups[1].Value, labels, double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture)));
        }

        return new MetricsScrape(series, text);
    }

    /// <summary>The sum of the series named <paramref name="name"/> whose labels include all of <paramref name="labels"/>; 0 when none.</summary>
    public double Sum(string name, params (string Name, string Value)[] labels) =>
        _series.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value)).Sum(s => s.Value);

    /// <summary>The lines of the scrape that mention <paramref name="name"/>, for assertion messages.</summary>
    public string Lines(string name) => string.Join('\n', Text.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal)));

    [GeneratedRegex("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)\\})? ([-+0-9.eE]+|NaN|[+-]Inf)$")]
    private static partial Regex SeriesLine();

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex Label();
}
