using System.Net;
using System.Text.Json.Nodes;

namespace ApiCache.Tests.DevServer.Security;

/// <summary>With an embedded cache, the security middleware still checks every request first: reads the cache answers are authorized too.</summary>
public sealed class EmbeddedCacheSecurityTests
{
    [Fact]
    public async Task CachedRead_OfAForbiddenNamespace_Is403BeforeTheCacheAnswers()
    {
        await using var server = await SecureDevServer.StartAsync(configure: (options, _) => options.EmbedCache = true);
        await server.SeedFixtureClusterAsync();
        var alice = server.ClientFor("alice");

        using var allowed = await alice.GetAsync("/api/v1/namespaces/team-a/pods?resourceVersion=0");
        using var denied = await alice.GetAsync("/api/v1/namespaces/team-b/pods?resourceVersion=0");
        using var adminList = await server.Admin.GetAsync("/api/v1/namespaces/team-b/pods");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal(HttpStatusCode.OK, adminList.StatusCode);
        Assert.Equal(5, JsonNode.Parse(await adminList.Content.ReadAsStringAsync())!["items"]!.AsArray().Count);
    }
}
