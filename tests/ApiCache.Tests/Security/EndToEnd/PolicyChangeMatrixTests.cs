using Xunit.Abstractions;

namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>
/// After the policy changes (alice granted team-b, developers' configmap access revoked), once the
/// proxy's decision TTL has passed, the whole matrix again answers through the proxy as the dev API
/// server does.
/// </summary>
public sealed class PolicyChangeMatrixTests(ITestOutputHelper output)
{
    /// <summary>A failure guard for the policy change to show; never a measurement.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Matrix_AfterPolicyChangeAndDecisionTtl_ProxyAnswersAsTheApiServerAgain()
    {
        // Arrange
        await using var cluster = await SecureCluster.StartAsync();
        var before = await AuthorizationMatrix.RunAsync(cluster, "1");
        Assert.True(before.Mismatches().Count == 0, "before the change:\n" + string.Join("\n", before.Mismatches()));

        // Act
        await cluster.WritePolicyAsync(SecurityPolicyText.Changed);
        var changed = DateTime.UtcNow;
        await WaitUntilProxyAnswersAsync(cluster, "/api/v1/namespaces/team-b/pods", 200);
        await WaitUntilProxyAnswersAsync(cluster, "/api/v1/namespaces/team-a/configmaps", 403);

        // Every decision cached before the change has expired once a TTL (plus a margin) has passed.
        var expired = changed + (2 * SecureCluster.DecisionTtl) - DateTime.UtcNow;
        if (expired > TimeSpan.Zero)
        {
            await Task.Delay(expired);
        }

        var after = await AuthorizationMatrix.RunAsync(cluster, "2");
        output.WriteLine(after.Table());

        // Assert
        Assert.True(after.Mismatches().Count == 0, "after the change:\n" + string.Join("\n", after.Mismatches()));
        foreach (var alice in new[] { cluster.AliceToken, cluster.AliceCertificate })
        {
            Assert.Equal((403, 200), (before[alice, "list pods team-b"].Proxy.Status, after[alice, "list pods team-b"].Proxy.Status));
            Assert.Equal((403, 200), (before[alice, "watch pods team-b"].Proxy.Status, after[alice, "watch pods team-b"].Proxy.Status));
            Assert.Equal((403, 200), (before[alice, "get pod team-b/web-1 (node-2)"].Proxy.Status, after[alice, "get pod team-b/web-1 (node-2)"].Proxy.Status));
            Assert.Equal((200, 403), (before[alice, "list configmaps team-a"].Proxy.Status, after[alice, "list configmaps team-a"].Proxy.Status));
            Assert.Equal((200, 403), (before[alice, "get configmap team-a/app-config"].Proxy.Status, after[alice, "get configmap team-a/app-config"].Proxy.Status));
        }

        Assert.Equal(403, after[cluster.AliceToken, "list pods all"].Proxy.Status);
    }

    /// <summary>Asks as alice through the proxy until the answer is <paramref name="status"/> (the new policy is in force upstream and the old decision expired).</summary>
    private static async Task WaitUntilProxyAnswersAsync(SecureCluster cluster, string path, int status)
    {
        var client = cluster.Client(cluster.AliceToken, Route.Proxy);
        var deadline = DateTime.UtcNow + Deadline;
        var last = 0;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            last = (int)response.StatusCode;
            if (last == status)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"the proxy still answered {last} to alice's GET {path} {Deadline} after the policy change (expected {status})");
    }
}
