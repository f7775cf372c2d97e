using System.Diagnostics.Metrics;
using ApiCache.Metrics;
using ApiCache.Requests;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace ApiCache.Benchmarks;

/// <summary>What every forwarded request costs before and after YARP: classification and metrics.</summary>
[MemoryDiagnoser]
public class RequestPathBenchmarks : IDisposable
{
    private readonly QueryCollection _kubeletQuery = new(new Dictionary<string, StringValues>
    {
        ["fieldSelector"] = "spec.nodeName=node-1",
        ["watch"] = "true",
        ["resourceVersion"] = "12345",
        ["allowWatchBookmarks"] = "true",
    });

    private ServiceProvider _services = null!;
    private ApiCacheMetrics _metrics = null!;
    private PrometheusTextExporter _exporter = null!;
    private KubernetesRequestInfo _info = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = _services.GetRequiredService<IMeterFactory>();
        _metrics = new ApiCacheMetrics(factory);
        _exporter = new PrometheusTextExporter([ApiCacheMetrics.MeterName], 2000, factory);
        _info = RequestInfoParser.Parse("GET", "/api/v1/namespaces/team-a/pods", QueryCollection.Empty);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _exporter?.Dispose();
        _services?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public object ParseNamespacedGet() =>
        RequestInfoParser.Parse("GET", "/api/v1/namespaces/team-a/pods/web-1", QueryCollection.Empty);

    [Benchmark]
    public object ParseKubeletWatch() =>
        RequestInfoParser.Parse("GET", "/api/v1/pods", _kubeletQuery);

    [Benchmark]
    public void RecordForwardedRequest()
    {
        _metrics.Inflight(_info, "https://10.0.0.1:6443", 1);
        _metrics.UpstreamResponded(_info, "https://10.0.0.1:6443", TimeSpan.FromMilliseconds(3));
        _metrics.Inflight(_info, "https://10.0.0.1:6443", -1);
        _metrics.RequestForwarded(_info, 200, "https://10.0.0.1:6443");
    }
}
