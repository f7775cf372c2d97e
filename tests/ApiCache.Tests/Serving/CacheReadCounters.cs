using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ApiCache.Tests.Serving;

/// <summary>
/// The <c>apicache_cache_reads_total{path,resource,verb}</c> series scraped from a proxy's
/// <c>/metrics</c> (in-process host or sidecar process alike), so tests can tell how reads were
/// answered: from the cache (<c>cache_fresh</c>, <c>cache_after_wait</c>) or otherwise.
/// </summary>
internal sealed partial class CacheReadCounters
{
    /// <summary>The path labels, in the order the proxy defines them.</summary>
    public static readonly string[] Paths = ["cache_fresh", "cache_after_wait", "fallback_upstream", "rejected_429", "rejected_cold", "forwarded"];

    private readonly Dictionary<(string Resource, string Verb, string Path), long> _values;

    private CacheReadCounters(Dictionary<(string Resource, string Verb, string Path), long> values, string text)
    {
        _values = values;
        Text = text;
    }

    /// <summary>The whole scrape, for other series and for assertion messages.</summary>
    public string Text { get; }

    /// <summary>Scrapes <c>/metrics</c> with <paramref name="client"/> (its base address is the proxy).</summary>
    public static async Task<CacheReadCounters> ScrapeAsync(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var values = new Dictionary<(string, string, string), long>();
        foreach (var line in text.Split('\n'))
        {
            var series = SeriesLine().Match(line);
            if (!series.Success)
            {
                continue;
            }

            var labels = Label().Matches(series.Groups[1].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
            values[(labels["resource"], labels["verb"], labels["path"])] = long.Parse(series.Groups[2].Value, CultureInfo.InvariantCulture);
        }

        return new CacheReadCounters(values, text);
    }

    /// <summary>One series; 0 when absent. Null <paramref name="resource"/> or <paramref name="verb"/> sums over them.</summary>
    public long Get(string path, string? resource = null, string? verb = null) =>
        _values.Where(kv => kv.Key.Path == path && (resource is null || kv.Key.Resource == resource) && (verb is null || kv.Key.Verb == verb)).Sum(kv => kv.Value);

    /// <summary>Reads answered from the cache: <c>cache_fresh</c> + <c>cache_after_wait</c>.</summary>
    public long FromCache(string? resource = null, string? verb = null) => Get("cache_fresh", resource, verb) + Get("cache_after_wait", resource, verb);

    /// <summary>All counted reads.</summary>
    public long Total(string? resource = null, string? verb = null) => Paths.Sum(p => Get(p, resource, verb));

    /// <summary>The counts of <paramref name="later"/> minus these, per series.</summary>
    public CacheReadCounters Until(CacheReadCounters later)
    {
        ArgumentNullException.ThrowIfNull(later);
        var difference = later._values.ToDictionary(kv => kv.Key, kv => kv.Value - _values.GetValueOrDefault(kv.Key));
        return new CacheReadCounters(difference, later.Text);
    }

    /// <summary>"path n (share%)" for every path, for the test output.</summary>
    public string Describe(string? resource = null, string? verb = null)
    {
        var total = Total(resource, verb);
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{total} reads:");
        foreach (var path in Paths)
        {
            var count = Get(path, resource, verb);
            text.Append(CultureInfo.InvariantCulture, $" {path} {count} ({(total == 0 ? 0 : 100.0 * count / total):F1}%)");
        }

        return text.ToString();
    }

    [GeneratedRegex("^apicache_cache_reads_total\\{([^}]*)\\} ([0-9]+)$")]
    private static partial Regex SeriesLine();

    [GeneratedRegex("([a-z_]+)=\"([^\"]*)\"")]
    private static partial Regex Label();
}
