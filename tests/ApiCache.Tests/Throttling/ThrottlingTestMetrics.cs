using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text;
using ApiCache.Metrics;
using ApiCache.Throttling;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Throttling;

/// <summary>Throttling's metrics on a private meter factory, with an exporter to read them back.</summary>
internal sealed class ThrottlingTestMetrics : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PrometheusTextExporter _exporter;

    public ThrottlingTestMetrics()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        Metrics = new ThrottlingMetrics(new ApiCacheMetrics(factory));
        _exporter = new PrometheusTextExporter([ApiCacheMetrics.MeterName], 10_000, factory);
    }

    public ThrottlingMetrics Metrics { get; }

    /// <summary>The lines of the Prometheus text that start with <paramref name="prefix"/>.</summary>
    public IReadOnlyList<string> Lines(string prefix)
    {
        var buffer = new ArrayBufferWriter<byte>();
        _exporter.Write(buffer);
        return [.. Encoding.UTF8.GetString(buffer.WrittenSpan).Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal))];
    }

    public void Dispose()
    {
        _exporter.Dispose();
        _services.Dispose();
    }
}
