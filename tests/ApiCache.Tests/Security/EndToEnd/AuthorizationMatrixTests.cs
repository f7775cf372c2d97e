using Xunit.Abstractions;

namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>
/// Every identity x request through the proxy (cache, SubjectAccessReview, TokenReview, client
/// certificates, impersonation) answers as the dev API server does straight away with the same
/// policy: same status, same Status body byte for byte, same items.
/// </summary>
public sealed class AuthorizationMatrixTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Matrix_EveryIdentityAndRequest_ProxyAnswersAsTheApiServer()
    {
        // Arrange
        await using var cluster = await SecureCluster.StartAsync();

        // Act
        var result = await AuthorizationMatrix.RunAsync(cluster, "1");
        output.WriteLine(result.Table());

        // Assert
        Assert.Equal(cluster.Identities.Count * (AuthorizationMatrix.Reads.Count + AuthorizationMatrix.Writes.Count), result.Count);
        Assert.True(result.Mismatches().Count == 0, string.Join("\n", result.Mismatches()));

        // The matrix is not trivially equal: the policy's decisions show in it.
        Assert.Equal(200, result[cluster.AliceToken, "list pods team-a"].Proxy.Status);
        Assert.Equal(403, result[cluster.AliceCertificate, "list pods team-b"].Proxy.Status);
        Assert.Equal(404, result[cluster.AliceToken, "get missing pod team-a"].Proxy.Status);
        Assert.Equal(403, result[cluster.AliceToken, "get missing pod team-b"].Proxy.Status);
        Assert.Equal(200, result[cluster.NodeCertificate, "list pods spec.nodeName=node-1"].Proxy.Status);
        Assert.Equal(403, result[cluster.NodeToken, "list pods spec.nodeName=node-2"].Proxy.Status);
        Assert.Equal(401, result[cluster.BadToken, "watch pods team-a"].Proxy.Status);
        Assert.Equal(403, result[cluster.Anonymous, "list pods all"].Proxy.Status);
        Assert.Equal(201, result[cluster.Admin, "create configmap team-a"].Proxy.Status);
        Assert.Equal(403, result[cluster.AliceToken, "create configmap team-a"].Proxy.Status);
        Assert.Contains("team-b/", result[cluster.Admin, "list pods all"].Proxy.Summary, StringComparison.Ordinal);
    }
}
