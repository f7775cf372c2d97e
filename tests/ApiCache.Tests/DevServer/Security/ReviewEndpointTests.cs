using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Security;

/// <summary>
/// SubjectAccessReview, TokenReview and the self reviews of the secured dev server against the
/// recorded answers (fixtures 09-*): the same request bodies, as the same callers, give the same
/// bodies (spec echoed, managed fields, status, 422), request times aside.
/// </summary>
public sealed class ReviewEndpointTests(SecureClusterFixture cluster) : IClassFixture<SecureClusterFixture>
{
    [Theory]
    [InlineData("09-sar-alice-list-pods-cluster-denied")]
    [InlineData("09-sar-alice-list-pods-team-a-allowed")]
    [InlineData("09-sar-alice-list-pods-team-b-denied")]
    [InlineData("09-sar-invalid-raw-and-requirements")]
    [InlineData("09-sar-node1-get-own-node-allowed")]
    [InlineData("09-sar-node1-list-pods-fieldSelector-requirements-allowed")]
    [InlineData("09-sar-node1-list-pods-no-selector-denied")]
    [InlineData("09-sar-node1-list-pods-other-node-denied")]
    [InlineData("09-sar-node1-watch-pods-fieldSelector-rawSelector-allowed")]
    [InlineData("09-selfsubjectaccessreview-alice")]
    [InlineData("09-selfsubjectreview-alice")]
    [InlineData("09-selfsubjectreview-node1")]
    public async Task Review_AsRecorded_AnswersTheFixtureBody(string fixture)
    {
        var client = cluster.Server.ClientFor(SecureDevServer.IdentityOf(fixture));
        var expected = FixtureUpstream.Fixture(fixture);

        var (status, _, body) = await SecureDevServer.ReplayAsync(client, fixture);

        Assert.Equal(expected.StatusCode, status);
        Assert.Equal(SecureDevServer.WithoutTimes(Encoding.UTF8.GetString(expected.Body)), SecureDevServer.WithoutTimes(Encoding.UTF8.GetString(body)));
    }

    [Theory]
    [InlineData("09-tokenreview-alice", "alice-token")]
    [InlineData("09-tokenreview-node1", "node1-token")]
    public async Task TokenReview_KnownToken_AnswersTheUserAndAudiences(string fixture, string token)
    {
        var (status, _, body) = await SecureDevServer.ReplayAsync(cluster.Server.Admin, fixture, token);

        Assert.Equal(201, status);
        var expected = Encoding.UTF8.GetString(FixtureUpstream.FixtureBody(fixture)).Replace("<token>", token, StringComparison.Ordinal);
        Assert.Equal(SecureDevServer.WithoutTimes(expected), SecureDevServer.WithoutTimes(Encoding.UTF8.GetString(body)));
    }

    [Fact]
    public async Task TokenReview_UnknownToken_AnswersInvalidBearerToken()
    {
        var (status, _, body) = await SecureDevServer.ReplayAsync(cluster.Server.Admin, "09-tokenreview-invalid-token");

        Assert.Equal(201, status);
        Assert.Equal(
            SecureDevServer.WithoutTimes(FixtureUpstream.FixtureText("09-tokenreview-invalid-token")),
            SecureDevServer.WithoutTimes(Encoding.UTF8.GetString(body)));
    }

    [Fact]
    public async Task TokenReview_AudienceOtherThanTheApiServer_IsNotAuthenticated()
    {
        using var content = new StringContent(
            """{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"alice-token","audiences":["vault"]}}""", Encoding.UTF8, "application/json");
        using var response = await cluster.Server.Admin.PostAsync("/apis/authentication.k8s.io/v1/tokenreviews", content);
        var review = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Null(review["status"]!["authenticated"]);
        Assert.Equal("""["vault"]""", review["spec"]!["audiences"]!.ToJsonString());
        Assert.Equal("""{"f:spec":{"f:audiences":{},"f:token":{}}}""", review["metadata"]!["managedFields"]![0]!["fieldsV1"]!.ToJsonString());
    }

    [Fact]
    public async Task SubjectAccessReview_NoAttributes_Answers422()
    {
        using var content = new StringContent(
            """{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"alice"}}""", Encoding.UTF8, "application/json");
        using var response = await cluster.Server.Admin.PostAsync("/apis/authorization.k8s.io/v1/subjectaccessreviews", content);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("""spec: Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified""", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubjectAccessReview_NonResourceForAnonymous_AllowsHealthOnly()
    {
        static string Review(string path) =>
            $$$"""{"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","spec":{"nonResourceAttributes":{"path":"{{{path}}}","verb":"get"},"user":"system:anonymous","groups":["system:unauthenticated"]}}""";
        using var healthContent = new StringContent(Review("/readyz"), Encoding.UTF8, "application/json");
        using var metricsContent = new StringContent(Review("/metrics"), Encoding.UTF8, "application/json");

        using var health = await cluster.Server.Admin.PostAsync("/apis/authorization.k8s.io/v1/subjectaccessreviews", healthContent);
        using var metrics = await cluster.Server.Admin.PostAsync("/apis/authorization.k8s.io/v1/subjectaccessreviews", metricsContent);
        var healthStatus = JsonNode.Parse(await health.Content.ReadAsStringAsync())!["status"]!;
        var metricsStatus = JsonNode.Parse(await metrics.Content.ReadAsStringAsync())!["status"]!;

        Assert.Equal(
            """{"allowed":true,"reason":"RBAC: allowed by ClusterRoleBinding \u0022system:public-info-viewer\u0022 of ClusterRole \u0022system:public-info-viewer\u0022 to Group \u0022system:unauthenticated\u0022"}""",
            healthStatus.ToJsonString());
        Assert.Equal("""{"allowed":false}""", metricsStatus.ToJsonString());
    }

    [Fact]
    public async Task Reviews_WrongMethod_Answer405()
    {
        using var response = await cluster.Server.Admin.GetAsync("/apis/authorization.k8s.io/v1/subjectaccessreviews");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }
}
