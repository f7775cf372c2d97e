using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ApiCache.Tests.Balancing;

/// <summary>
/// Connections are reshuffled on both sides: upstream connections are recycled on a short jittered
/// lifetime while one long-lived HTTP/2 client is spread over every endpoint, and the go-away chance
/// ends client connections after ordinary responses, never after a watch.
/// </summary>
public sealed class ConnectionReshufflingTests
{
    [Fact]
    public async Task Forward_LongLivedHttp2ClientWithShortUpstreamLifetime_SpreadAndRecycled()
    {
        // Arrange
        await using var cluster = await BalancedCluster.StartAsync(
            b =>
            {
                b.ConnectionLifetime = TimeSpan.FromMilliseconds(100);
                b.ConnectionLifetimeJitter = TimeSpan.FromMilliseconds(100);
                b.ConnectionPoolsPerEndpoint = 2;
            },
            HttpProtocols.Http2);
        using var client = cluster.CreateHttp2Client();

        // Act: a trickle of requests over one client connection until every upstream has been
        // reconnected a few times (bounded).
        var versions = new HashSet<Version>();
        for (var i = 0; i < 1000 && cluster.Servers.Any(s => s.Relay.Accepted < 4); i++)
        {
            using var response = await client.GetAsync(new Uri(BalancedCluster.SecretsPath, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            versions.Add(response.Version);
            await Task.Delay(10);
        }

        // Assert: one client connection, spread over all three servers, whose connections were replaced.
        Assert.Equal([HttpVersion.Version20], versions);
        Assert.Equal(1, cluster.ClientConnections);
        Assert.All(cluster.Servers, s => Assert.True(s.Relay.Accepted >= 4, $"{s.Name} accepted {s.Relay.Accepted} connections"));
        var counts = cluster.Counts();
        Assert.All(counts, c => Assert.True(c > 0, "requests per server: " + string.Join(", ", counts)));
    }

    [Fact]
    public async Task GoAway_ChanceOneOverHttp11_ClosesAfterOrdinaryResponsesButNotWatches()
    {
        // Arrange
        await using var cluster = await BalancedCluster.StartAsync(b => b.GoAwayChance = 1);
        using var client = cluster.CreateClient();

        // Act
        using var list = await client.GetAsync(new Uri(BalancedCluster.SecretsPath, UriKind.Relative));
        using var watch = await client.GetAsync(new Uri(BalancedCluster.SecretsPath + "?watch=1&timeoutSeconds=1", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);

        // Assert
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.True(list.Headers.ConnectionClose, "a list response did not carry Connection: close");
        Assert.Equal(HttpStatusCode.OK, watch.StatusCode);
        Assert.NotEqual(true, watch.Headers.ConnectionClose);
    }

    [Fact]
    public async Task GoAway_ChanceOneOverHttp2_NextRequestUsesANewConnection()
    {
        // Arrange
        await using var cluster = await BalancedCluster.StartAsync(b => b.GoAwayChance = 1, HttpProtocols.Http2);
        using var client = cluster.CreateHttp2Client();

        // Act: sequential requests; each response's connection gets GOAWAY once the response is done.
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync(new Uri(BalancedCluster.SecretsPath, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsStringAsync();
            await BalancedCluster.WaitUntilAsync(() => cluster.ClientConnections > i, TimeSpan.FromSeconds(1));
        }

        // Assert: the client had to reconnect (GOAWAY), and no request failed.
        Assert.True(cluster.ClientConnections >= 2, $"client connections: {cluster.ClientConnections}");
    }

    [Fact]
    public async Task GoAway_ChanceZero_KeepsTheConnection()
    {
        await using var cluster = await BalancedCluster.StartAsync();
        using var client = cluster.CreateClient();

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync(new Uri(BalancedCluster.SecretsPath, UriKind.Relative));
            Assert.NotEqual(true, response.Headers.ConnectionClose);
        }

        Assert.Equal(1, cluster.ClientConnections);
    }
}
