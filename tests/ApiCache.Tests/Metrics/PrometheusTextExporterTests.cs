using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.RegularExpressions;
using ApiCache.Metrics;

namespace ApiCache.Tests.Metrics;

public sealed partial class PrometheusTextExporterTests
{
    private const int MaxSeries = 100;

    [Fact]
    public void Write_CounterWithLabels_SumsPerSortedLabelSetWithTotalSuffix()
    {
        using var meter = NewMeter();
        Counter<long> counter = meter.CreateCounter<long>("apicache_requests", unit: null, description: "Requests served.");
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);

        counter.Add(2, Tag("verb", "get"), Tag("code", 200));
        counter.Add(3, Tag("code", 200), Tag("verb", "get"));
        counter.Add(1, Tag("verb", "list"), Tag("code", 200));

        Assert.Equal(
            "# HELP apicache_requests_total Requests served.\n" +
            "# TYPE apicache_requests_total counter\n" +
            "apicache_requests_total{code=\"200\",verb=\"get\"} 5\n" +
            "apicache_requests_total{code=\"200\",verb=\"list\"} 1\n",
            Scrape(exporter));
    }

    [Fact]
    public void Write_CounterWithoutLabels_WritesNoBracesAndKeepsExistingTotalSuffix()
    {
        using var meter = NewMeter();
        Counter<int> counter = meter.CreateCounter<int>("apicache_restarts_total");
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);

        counter.Add(4);
        counter.Add(3);

        Assert.Equal(
            "# TYPE apicache_restarts_total counter\n" +
            "apicache_restarts_total 7\n",
            Scrape(exporter));
    }

    [Fact]
    public void Write_LabelValueWithBackslashQuoteNewline_EscapesThem()
    {
        using var meter = NewMeter();
        Counter<long> counter = meter.CreateCounter<long>("escapes");
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);

        counter.Add(1, Tag("path", "a\\b\"c\nd"), Tag("empty", null));

        Assert.Equal(
            "# TYPE escapes_total counter\n" +
            "escapes_total{empty=\"\",path=\"a\\\\b\\\"c\\nd\"} 1\n",
            Scrape(exporter));
    }

    [Fact]
    public void Write_DescriptionWithBackslashAndNewline_EscapesHelp()
    {
        using var meter = NewMeter();
        Gauge<int> gauge = meter.CreateGauge<int>("helpful", unit: null, description: "Line one\nC:\\path \"quoted\"");
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);

        gauge.Record(1);

        Assert.Equal(
            "# HELP helpful Line one\\nC:\\\\path \"quoted\"\n" +
            "# TYPE helpful gauge\n" +
            "helpful 1\n",
            Scrape(exporter));
    }

    [Fact]
    public void Write_UpDownCounterGoingNegative_WritesNegativeGauge()
    {
        using var meter = NewMeter();
        UpDownCounter<int> inFlight = meter.CreateUpDownCounter<int>("apicache_inflight_requests");
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);

        inFlight.Add(3);
        inFlight.Add(-5);

        Assert.Equal(
            "# TYPE apicache_inflight_requests gauge\n" +
            "apicache_inflight_requests -2\n",
            Scrape(exporter));
    }

    [Fact]
    public void Write_SynchronousGauge_KeepsLastValue()
    {
        using var meter = NewMeter();
        Gauge<double> gauge = meter.CreateGauge<double>("temperature");
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);

        gauge.Record(1.5, Tag("room", "a"));
        gauge.Record(-0.25, Tag("room", "a"));
        gauge.Record(double.PositiveInfinity, Tag("room", "b"));
        gauge.Record(double.NaN, Tag("room", "c"));

        Assert.Equal(
            "# TYPE temperature gauge\n" +
            "temperature{room=\"a\"} -0.25\n" +
            "temperature{room=\"b\"} +Inf\n" +
            "temperature{room=\"c\"} NaN\n",
            Scrape(exporter));
    }

    [Fact]
    public void Write_ObservableGauge_ReadsCurrentValueAtEachScrape()
    {
        using var meter = NewMeter();
        double value = 1.5;
        meter.CreateObservableGauge("apicache_queue_depth", () => value, unit: null, description: "Queue depth.");
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);

        string first = Scrape(exporter);
        value = 2.25;
        string second = Scrape(exporter);

        Assert.Equal("# HELP apicache_queue_depth Queue depth.\n# TYPE apicache_queue_depth gauge\napicache_queue_depth 1.5\n", first);
        Assert.Equal("# HELP apicache_queue_depth Queue depth.\n# TYPE apicache_queue_depth gauge\napicache_queue_depth 2.25\n", second);
    }

    [Fact]
    public void Write_ObservableGaugeLabelSetNoLongerReported_DropsThatSeries()
    {
        using var meter = NewMeter();
        bool both = true;
        meter.CreateObservableGauge("watchers", () => both
            ? new[] { new Measurement<int>(1, Tag("resource", "pods")), new Measurement<int>(2, Tag("resource", "nodes")) }
            : new[] { new Measurement<int>(3, Tag("resource", "pods")) });
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);

        string first = Scrape(exporter);
        both = false;
        string second = Scrape(exporter);

        Assert.Equal("# TYPE watchers gauge\nwatchers{resource=\"nodes\"} 2\nwatchers{resource=\"pods\"} 1\n", first);
        Assert.Equal("# TYPE watchers gauge\nwatchers{resource=\"pods\"} 3\n", second);
    }

    [Fact]
    public void Write_ObservableCounter_ReplacesWithObservedCumulativeTotal()
    {
        using var meter = NewMeter();
        long total = 10;
        meter.CreateObservableCounter("apicache_bytes_sent", () => total);
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);

        string first = Scrape(exporter);
        total = 25;
        string second = Scrape(exporter);

        Assert.Equal("# TYPE apicache_bytes_sent_total counter\napicache_bytes_sent_total 10\n", first);
        Assert.Equal("# TYPE apicache_bytes_sent_total counter\napicache_bytes_sent_total 25\n", second);
    }

    [Fact]
    public void Write_ObservableUpDownCounter_ReplacesWithObservedValue()
    {
        using var meter = NewMeter();
        int open = 5;
        meter.CreateObservableUpDownCounter("open_streams", () => open);
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);

        _ = Scrape(exporter);
        open = -1;

        Assert.Equal("# TYPE open_streams gauge\nopen_streams -1\n", Scrape(exporter));
    }

    [Fact]
    public void Write_HistogramWithAdvisedBuckets_WritesCumulativeBucketsSumAndCount()
    {
        using var meter = NewMeter();
        Histogram<double> histogram = meter.CreateHistogram(
            "apicache_request_duration_seconds",
            unit: "s",
            description: "Request latency.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.25, 1, 10] });
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);

        histogram.Record(0.125, Tag("verb", "get"));
        histogram.Record(0.25, Tag("verb", "get"));
        histogram.Record(0.5, Tag("verb", "get"));
        histogram.Record(20, Tag("verb", "get"));

        Assert.Equal(
            "# HELP apicache_request_duration_seconds Request latency.\n" +
            "# TYPE apicache_request_duration_seconds histogram\n" +
            "apicache_request_duration_seconds_bucket{verb=\"get\",le=\"0.25\"} 2\n" +
            "apicache_request_duration_seconds_bucket{verb=\"get\",le=\"1\"} 3\n" +
            "apicache_request_duration_seconds_bucket{verb=\"get\",le=\"10\"} 3\n" +
            "apicache_request_duration_seconds_bucket{verb=\"get\",le=\"+Inf\"} 4\n" +
            "apicache_request_duration_seconds_sum{verb=\"get\"} 20.875\n" +
            "apicache_request_duration_seconds_count{verb=\"get\"} 4\n",
            Scrape(exporter));
    }

    [Fact]
    public void Write_HistogramWithoutAdvice_UsesPrometheusDefaultBuckets()
    {
        using var meter = NewMeter();
        Histogram<int> histogram = meter.CreateHistogram<int>("batch_size");
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);

        histogram.Record(3);

        Assert.Equal(
            "# TYPE batch_size histogram\n" +
            "batch_size_bucket{le=\"0.005\"} 0\n" +
            "batch_size_bucket{le=\"0.01\"} 0\n" +
            "batch_size_bucket{le=\"0.025\"} 0\n" +
            "batch_size_bucket{le=\"0.05\"} 0\n" +
            "batch_size_bucket{le=\"0.1\"} 0\n" +
            "batch_size_bucket{le=\"0.25\"} 0\n" +
            "batch_size_bucket{le=\"0.5\"} 0\n" +
            "batch_size_bucket{le=\"1\"} 0\n" +
            "batch_size_bucket{le=\"2.5\"} 0\n" +
            "batch_size_bucket{le=\"5\"} 1\n" +
            "batch_size_bucket{le=\"10\"} 1\n" +
            "batch_size_bucket{le=\"+Inf\"} 1\n" +
            "batch_size_sum 3\n" +
            "batch_size_count 1\n",
            Scrape(exporter));
    }

    [Fact]
    public void Write_MoreLabelSetsThanTheCap_DropsExtraMeasurementsAndReportsThem()
    {
        using var meter = NewMeter();
        Counter<long> counter = meter.CreateCounter<long>("capped");
        using var exporter = new PrometheusTextExporter([meter.Name], maxSeriesPerInstrument: 2);

        counter.Add(1, Tag("id", 1));
        counter.Add(1, Tag("id", 2));
        counter.Add(1, Tag("id", 3));
        counter.Add(1, Tag("id", 3));
        counter.Add(1, Tag("id", 1));

        Assert.Equal(
            "# HELP apicache_metrics_dropped_series_total Measurements dropped because their instrument already had the maximum number of label sets.\n" +
            "# TYPE apicache_metrics_dropped_series_total counter\n" +
            "apicache_metrics_dropped_series_total{instrument=\"capped_total\"} 2\n" +
            "# TYPE capped_total counter\n" +
            "capped_total{id=\"1\"} 2\n" +
            "capped_total{id=\"2\"} 1\n",
            Scrape(exporter));
    }

    [Fact]
    public void Write_DottedNamesAndDigitLabel_SanitizesNames()
    {
        using var meter = NewMeter();
        Counter<double> counter = meter.CreateCounter<double>("apicache.cache-hits");
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);

        counter.Add(0.5, Tag("http.method", "GET"), Tag("2xx", true));

        Assert.Equal(
            "# TYPE apicache_cache_hits_total counter\n" +
            "apicache_cache_hits_total{_2xx=\"True\",http_method=\"GET\"} 0.5\n",
            Scrape(exporter));
    }

    [Fact]
    public void Write_SeveralFamilies_SortsFamiliesByName()
    {
        using var meter = NewMeter();
        Counter<int> zebra = meter.CreateCounter<int>("zebra");
        Counter<int> aardvark = meter.CreateCounter<int>("aardvark");
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);

        zebra.Add(1);
        aardvark.Add(2);

        Assert.Equal(
            "# TYPE aardvark_total counter\naardvark_total 2\n" +
            "# TYPE zebra_total counter\nzebra_total 1\n",
            Scrape(exporter));
    }

    [Fact]
    public void Write_MeterNotListed_IsNotExported()
    {
        using var listed = NewMeter();
        using var other = NewMeter();
        Counter<int> exported = listed.CreateCounter<int>("exported");
        Counter<int> ignored = other.CreateCounter<int>("ignored");
        using var exporter = new PrometheusTextExporter([listed.Name], MaxSeries);

        exported.Add(1);
        ignored.Add(1);

        Assert.Equal("# TYPE exported_total counter\nexported_total 1\n", Scrape(exporter));
    }

    [Fact]
    public void Write_InstrumentCreatedAfterExporter_IsExported()
    {
        using var meter = NewMeter();
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);

        Counter<long> late = meter.CreateCounter<long>("late");
        late.Add(9);

        Assert.Equal("# TYPE late_total counter\nlate_total 9\n", Scrape(exporter));
    }

    [Fact]
    public void Write_MeterDisposed_StopsExportingItsInstruments()
    {
        var meter = NewMeter();
        Counter<long> counter = meter.CreateCounter<long>("gone");
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);
        counter.Add(1);

        meter.Dispose();

        Assert.Equal(string.Empty, Scrape(exporter));
    }

    [Fact]
    public async Task Write_ConcurrentIncrements_CountsEveryOne()
    {
        using var meter = NewMeter();
        Counter<long> longs = meter.CreateCounter<long>("concurrent_longs");
        Counter<double> doubles = meter.CreateCounter<double>("concurrent_doubles");
        Histogram<double> histogram = meter.CreateHistogram<double>("concurrent_histogram", unit: null, description: null, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1] });
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);
        const int Tasks = 8;
        const int Increments = 10_000;

        Task[] workers = [.. Enumerable.Range(0, Tasks).Select(worker => Task.Run(() =>
        {
            for (int i = 0; i < Increments; i++)
            {
                longs.Add(1, Tag("worker", worker % 2));
                doubles.Add(0.5);
                histogram.Record(i % 2 == 0 ? 0.5 : 2);
            }
        }))];
        await Task.WhenAll(workers);

        Assert.Equal(
            "# TYPE concurrent_doubles_total counter\n" +
            "concurrent_doubles_total 40000\n" +
            "# TYPE concurrent_histogram histogram\n" +
            "concurrent_histogram_bucket{le=\"1\"} 40000\n" +
            "concurrent_histogram_bucket{le=\"+Inf\"} 80000\n" +
            "concurrent_histogram_sum 100000\n" +
            "concurrent_histogram_count 80000\n" +
            "# TYPE concurrent_longs_total counter\n" +
            "concurrent_longs_total{worker=\"0\"} 40000\n" +
            "concurrent_longs_total{worker=\"1\"} 40000\n",
            Scrape(exporter));
    }

    [Fact]
    public void Record_ExistingLabelSet_DoesNotAllocate()
    {
        using var meter = NewMeter();
        Counter<long> counter = meter.CreateCounter<long>("allocations");
        Histogram<double> histogram = meter.CreateHistogram<double>("allocations_histogram");
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);
        KeyValuePair<string, object?> verb = Tag("verb", "get");
        KeyValuePair<string, object?> code = Tag("code", 200);
        KeyValuePair<string, object?> resource = Tag("resource", "pods");
        for (int i = 0; i < 100; i++)
        {
            counter.Add(1, verb, code);
            histogram.Record(0.5, resource);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            counter.Add(1, verb, code);
            histogram.Record(0.5, resource);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task WriteAsync_Stream_WritesSameTextAsWrite()
    {
        using var meter = NewMeter();
        Counter<long> counter = meter.CreateCounter<long>("streamed", unit: null, description: "Streamed ü.");
        using var exporter = new PrometheusTextExporter([meter.Name], MaxSeries);
        counter.Add(1, Tag("label", "välue"));
        using var stream = new MemoryStream();

        await exporter.WriteAsync(stream, CancellationToken.None);

        Assert.Equal(Scrape(exporter), Encoding.UTF8.GetString(stream.ToArray()));
        Assert.True(stream.CanWrite);
    }

    private static Meter NewMeter([System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        new($"ApiCache.Tests.{test}.{Guid.NewGuid():N}");

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    /// <summary>Scrapes into a buffer and checks every line against the text format before returning the text.</summary>
    private static string Scrape(PrometheusTextExporter exporter)
    {
        var buffer = new ArrayBufferWriter<byte>();
        exporter.Write(buffer);
        string text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        AssertValidExposition(text);
        return text;
    }

    private static void AssertValidExposition(string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        foreach (string line in text[..^1].Split('\n'))
        {
            Assert.Matches(line.StartsWith('#') ? CommentLine() : SampleLine(), line);
        }
    }

    [GeneratedRegex(@"^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram))$")]
    private static partial Regex CommentLine();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*=""(\\.|[^""\\])*""(,[a-zA-Z_][a-zA-Z0-9_]*=""(\\.|[^""\\])*"")*\})? \S+$")]
    private static partial Regex SampleLine();
}
