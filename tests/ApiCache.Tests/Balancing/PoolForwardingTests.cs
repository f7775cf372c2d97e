using System.Net;
using System.Text;

namespace ApiCache.Tests.Balancing;

/// <summary>
/// Forwarding over three real dev API server front ends sharing one store, each behind a relay:
/// load is spread evenly, a killed endpoint is avoided without client-visible errors and gets its
/// share back once it recovers, and a 429 sheds load (GETs retried elsewhere, POSTs never).
/// </summary>
public sealed class PoolForwardingTests
{
    [Fact]
    public async Task Forward_SteadyLoad_EachEndpointGetsItsShareWithin20Percent()
    {
        // Arrange
        await using var cluster = await BalancedCluster.StartAsync();
        using var client = cluster.CreateClient();

        // Act
        var failures = await BalancedCluster.LoadAsync(client, 600, concurrency: 6);

        // Assert: counted by the servers themselves.
        Assert.Empty(failures);
        var counts = cluster.Counts();
        Assert.Equal(600, counts.Sum());
        Assert.True(counts.Max() <= counts.Min() * 1.2, "requests per server: " + string.Join(", ", counts));
    }

    [Fact]
    public async Task Forward_EndpointKilledThenBroughtBack_ReadsShiftWithoutErrorsAndLoadReturns()
    {
        // Arrange
        await using var cluster = await BalancedCluster.StartAsync();
        using var client = cluster.CreateClient();
        var victim = cluster.Servers[1];
        Assert.Empty(await BalancedCluster.LoadAsync(client, 60));
        Assert.True(victim.Requests > 0);

        // Act 1: kill it under load.
        var load = BalancedCluster.LoadAsync(client, 300, concurrency: 4);
        await Task.Delay(10);
        victim.Kill();
        var failuresWhileKilled = await load;
        var unhealthy = await BalancedCluster.WaitUntilAsync(() => !cluster.Pool.IsHealthy(cluster.Pool.States[1].Endpoint));
        var victimBefore = victim.Requests;
        var othersBefore = cluster.Servers[0].Requests + cluster.Servers[2].Requests;
        var failuresAfterKill = await BalancedCluster.LoadAsync(client, 120);

        // Assert 1: no client saw an error, and the dead endpoint got no new work.
        Assert.Empty(failuresWhileKilled);
        Assert.Empty(failuresAfterKill);
        Assert.True(unhealthy, "the killed endpoint was never marked unhealthy");
        Assert.Equal(victimBefore, victim.Requests);
        Assert.Equal(othersBefore + 120, cluster.Servers[0].Requests + cluster.Servers[2].Requests);

        // Act 2: bring it back; keep a light load until it gets requests again (bounded).
        victim.Revive();
        var acceptedAtRevive = victim.Relay.Accepted;
        var checksAtRevive = cluster.Pool.States[1].Checks;
        var returned = false;
        var failuresAfterRevive = new List<string>();
        for (var round = 0; round < 300 && !returned; round++)
        {
            failuresAfterRevive.AddRange(await BalancedCluster.LoadAsync(client, 6, concurrency: 2));
            returned = victim.Requests > victimBefore;
            if (!returned)
            {
                await Task.Delay(50);
            }
        }

        // Assert 2
        Assert.True(returned, $"load never returned to the revived endpoint (healthy: {cluster.Pool.IsHealthy(cluster.Pool.States[1].Endpoint)}, available: {cluster.Pool.IsAvailable(cluster.Pool.States[1].Endpoint)}, connections accepted since revival: {victim.Relay.Accepted - acceptedAtRevive}, checks since revival: {cluster.Pool.States[1].Checks - checksAtRevive}, requests: {string.Join(", ", cluster.Counts())})");
        Assert.Empty(failuresAfterRevive);
        Assert.True(cluster.Pool.IsHealthy(cluster.Pool.States[1].Endpoint));
    }

    [Fact]
    public async Task Forward_EndpointAnswers429_GetsRetriedElsewhereAndLoadShed()
    {
        // Arrange
        await using var cluster = await BalancedCluster.StartAsync();
        using var client = cluster.CreateClient();
        var busy = cluster.Servers[0];
        busy.TooManyRequests = true;

        // Act: sequential GETs until the busy server has refused one (bounded), then more.
        var failures = new List<string>();
        var sent = 0;
        for (; sent < 100 && busy.Refused == 0; sent++)
        {
            failures.AddRange(await BalancedCluster.LoadAsync(client, 1, concurrency: 1));
        }

        var refusedAfterFirst = busy.Refused;
        failures.AddRange(await BalancedCluster.LoadAsync(client, 60, concurrency: 1));
        sent += 60;

        // Assert: every GET succeeded; the refused one was served by another server; the busy one
        // cooled down (Retry-After: 30) and got nothing more.
        Assert.Empty(failures);
        Assert.Equal(1, refusedAfterFirst);
        Assert.Equal(1, busy.Refused);
        Assert.Equal(sent, cluster.Servers[1].Requests + cluster.Servers[2].Requests);
        Assert.False(cluster.Pool.IsAvailable(cluster.Pool.States[0].Endpoint));
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains($"apicache_upstream_retries_total{{endpoint=\"{busy.Name}\",reason=\"too_many_requests\"}} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"apicache_upstream_healthy{{endpoint=\"{busy.Name}\"}} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE apicache_upstream_balance_ratio gauge\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"apicache_forwarded_requests_total{{code=\"429\",endpoint=\"{busy.Name}\",group=\"\",resource=\"secrets\",verb=\"list\"}} 1\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forward_AllEndpointsAnswer429_GetRetriedOncePostNever()
    {
        // Arrange
        await using var cluster = await BalancedCluster.StartAsync();
        using var client = cluster.CreateClient();
        foreach (var server in cluster.Servers)
        {
            server.TooManyRequests = true;
        }

        // Act
        using var get = await client.GetAsync(new Uri(BalancedCluster.SecretsPath, UriKind.Relative));
        var afterGet = cluster.Counts().Sum();
        using var content = new StringContent("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}""", Encoding.UTF8, "application/json");
        using var post = await client.PostAsync(new Uri("/api/v1/namespaces/default/configmaps", UriKind.Relative), content);
        var postBody = await post.Content.ReadAsStringAsync();

        // Assert: the GET went to two servers (one retry), the POST reached exactly one and came back as 429.
        Assert.Equal(HttpStatusCode.TooManyRequests, get.StatusCode);
        Assert.Equal(2, afterGet);
        Assert.Equal(HttpStatusCode.TooManyRequests, post.StatusCode);
        Assert.Equal("30", post.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("\"reason\":\"TooManyRequests\"", postBody, StringComparison.Ordinal);
        Assert.Equal(1, cluster.Servers.Sum(s => s.Posts));
        Assert.Equal(3, cluster.Counts().Sum());
    }

    [Fact]
    public async Task Forward_PostToAKilledEndpointWithOthersUp_IsAnsweredNotDuplicated()
    {
        // Arrange: one endpoint refuses connections but is not yet known to be unhealthy (no checks).
        await using var cluster = await BalancedCluster.StartAsync(b => b.HealthCheckPeriod = TimeSpan.Zero);
        using var client = cluster.CreateClient();
        cluster.Servers[2].Kill();

        // Act: POSTs until one hit the dead endpoint (its answer is a 503 from the proxy, never a retry).
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 30 && !codes.Contains(HttpStatusCode.ServiceUnavailable); i++)
        {
            using var content = new StringContent("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm-" + i + "\"}}", Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(new Uri("/api/v1/namespaces/default/configmaps", UriKind.Relative), content);
            codes.Add(response.StatusCode);
        }

        // Assert: each POST reached at most one server; the failed one was not sent elsewhere.
        Assert.Contains(HttpStatusCode.ServiceUnavailable, codes);
        Assert.Equal(codes.Count(c => c == HttpStatusCode.Created), cluster.Servers.Sum(s => s.Posts));
    }
}
