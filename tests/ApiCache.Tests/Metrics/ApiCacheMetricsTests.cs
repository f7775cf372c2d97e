using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text;
using ApiCache.Metrics;
using ApiCache.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Metrics;

/// <summary>Label values that come from clients stay bounded, whatever the clients send.</summary>
public sealed class ApiCacheMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ApiCacheMetrics _metrics;
    private readonly PrometheusTextExporter _exporter;

    public ApiCacheMetricsTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _metrics = new ApiCacheMetrics(factory);
        _exporter = new PrometheusTextExporter([ApiCacheMetrics.MeterName], 10_000, factory);
    }

    [Fact]
    public void RequestForwarded_ManyDistinctResources_ReportsOverflowAsOther()
    {
        for (var i = 0; i < ApiCacheMetrics.MaxResourceLabels + 50; i++)
        {
            _metrics.RequestForwarded(RequestInfoParser.Parse("GET", $"/apis/g{i}.example.com/v1/things{i}", QueryCollection.Empty), 200, "e");
        }

        var lines = Scrape().Split('\n').Where(l => l.StartsWith("apicache_forwarded_requests_total{", StringComparison.Ordinal)).ToList();

        Assert.Equal(ApiCacheMetrics.MaxResourceLabels + 1, lines.Count);
        Assert.Contains("apicache_forwarded_requests_total{code=\"200\",endpoint=\"e\",group=\"other\",resource=\"other\",verb=\"list\"} 50", lines);
    }

    [Fact]
    public void RequestForwarded_UnknownMethod_ReportsVerbOther()
    {
        _metrics.RequestForwarded(RequestInfoParser.Parse("FROBNICATE", "/version", QueryCollection.Empty), 405, "e");
        _metrics.RequestForwarded(RequestInfoParser.Parse("POST", "/version", QueryCollection.Empty), 405, "e");

        var text = Scrape();

        Assert.Contains("apicache_forwarded_requests_total{code=\"405\",endpoint=\"e\",group=\"\",resource=\"\",verb=\"other\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("apicache_forwarded_requests_total{code=\"405\",endpoint=\"e\",group=\"\",resource=\"\",verb=\"post\"} 1\n", text, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _exporter.Dispose();
        _services.Dispose();
    }

    private string Scrape()
    {
        var buffer = new ArrayBufferWriter<byte>();
        _exporter.Write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
