using System.Text.RegularExpressions;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Tests.Metrics;

/// <summary>Forwarded requests show up at /metrics in the Prometheus text format.</summary>
public sealed partial class ForwardingMetricsTests
{
    [Fact]
    public async Task Metrics_AfterForwardedRequests_CountsByVerbResourceAndCodeAndRecordsLatency()
    {
        // Arrange
        await using var upstream = await LoopbackServer.StartAsync(app => app.Run(context =>
        {
            context.Response.StatusCode = context.Request.Path.Value!.EndsWith("/missing", StringComparison.Ordinal) ? 404 : 200;
            return context.Response.WriteAsync("{}");
        }));
        await using var proxy = await ProxyHost.StartAsync(upstream.Address);
        using var client = new HttpClient { BaseAddress = proxy.Address };

        // Act
        for (var i = 0; i < 3; i++)
        {
            (await client.GetAsync(new Uri("/api/v1/namespaces/team-a/pods", UriKind.Relative))).Dispose();
        }

        (await client.GetAsync(new Uri("/apis/apps/v1/namespaces/team-a/deployments/missing", UriKind.Relative))).Dispose();
        (await client.GetAsync(new Uri("/api/v1/pods?watch=1", UriKind.Relative))).Dispose();
        (await client.GetAsync(new Uri("/version", UriKind.Relative))).Dispose();
        var (contentType, text) = await ScrapeUntilAsync(client, text => text.Contains("resource=\"\",verb=\"get\"} 1\n", StringComparison.Ordinal));

        // Assert
        var ep = "endpoint=\"" + upstream.Address.GetLeftPart(UriPartial.Path).TrimEnd('/') + "\",";
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", contentType);
        Assert.Contains("# TYPE apicache_forwarded_requests_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("\napicache_forwarded_requests_total{code=\"200\"," + ep + "group=\"\",resource=\"pods\",verb=\"list\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("\napicache_forwarded_requests_total{code=\"404\"," + ep + "group=\"apps\",resource=\"deployments\",verb=\"get\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("\napicache_forwarded_requests_total{code=\"200\"," + ep + "group=\"\",resource=\"pods\",verb=\"watch\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("\napicache_forwarded_requests_total{code=\"200\"," + ep + "group=\"\",resource=\"\",verb=\"get\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE apicache_upstream_request_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("\napicache_upstream_request_duration_seconds_count{" + ep + "group=\"\",resource=\"pods\",verb=\"list\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("\napicache_upstream_request_duration_seconds_bucket{" + ep + "group=\"\",resource=\"pods\",verb=\"list\",le=\"+Inf\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("\napicache_forwarded_requests_inflight{" + ep + "verb=\"list\"} 0\n", text, StringComparison.Ordinal);
        Assert.Matches(LatencySum(), text);
        Assert.DoesNotContain("verb=\"metrics\"", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Counts are added when the proxy's forwarding call returns, which may be just after the client
    /// has read the whole answer (the last request is the non-resource GET): scrape until it shows.
    /// </summary>
    private static async Task<(string? ContentType, string Text)> ScrapeUntilAsync(HttpClient client, Func<string, bool> done)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative), deadline.Token);
            var text = await response.Content.ReadAsStringAsync(deadline.Token);
            if (done(text) || deadline.IsCancellationRequested)
            {
                return (response.Content.Headers.ContentType?.ToString(), text);
            }

            await Task.Delay(20, deadline.Token);
        }
    }

    [GeneratedRegex(@"\napicache_upstream_request_duration_seconds_sum\{endpoint=""[^""]+"",group="""",resource=""pods"",verb=""list""\} [0-9.e-]+\n")]
    private static partial Regex LatencySum();
}
