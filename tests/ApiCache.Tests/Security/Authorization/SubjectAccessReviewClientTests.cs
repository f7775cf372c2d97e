using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ApiCache.Balancing;
using ApiCache.Configuration;
using ApiCache.Security;
using ApiCache.Tests.DevServer.Differential;
using ApiCache.Tests.Infrastructure;
using ApiCache.Upstream;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Tests.Security.Authorization;

/// <summary>
/// The SubjectAccessReview client: the request JSON has the shape the apiserver's webhook authorizer
/// sends (compared with the recorded 09-sar-* requests), the status is read as recorded, and
/// anything but a 201 (or no answer) is unavailability.
/// </summary>
public sealed class SubjectAccessReviewClientTests : IDisposable
{
    private static readonly UserInfo Node1 = UserInfo.Authenticated("system:node:node-1", "", ["system:nodes"]);
    private static readonly UserInfo Alice = UserInfo.Authenticated("alice", "", ["developers"]);

    private readonly ScriptedReviewHandler _handler = new();
    private readonly UpstreamEndpoint _endpoint;
    private readonly SubjectAccessReviewClient _client;

    public SubjectAccessReviewClientTests()
    {
        _endpoint = new UpstreamEndpoint(new UpstreamServerSettings { Url = new Uri("http://127.0.0.1:6443"), Source = "test" }, new HttpMessageInvoker(_handler), "upstream");
        var pool = new UpstreamPool([_endpoint], new BalancingOptions(), TimeProvider.System);
        _client = new SubjectAccessReviewClient(new UpstreamReviewPoster(pool));
    }

    public void Dispose() => _endpoint.Dispose();

    [Theory]
    [InlineData("09-sar-node1-list-pods-fieldSelector-requirements-allowed", "node1", "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1")]
    [InlineData("09-sar-node1-list-pods-no-selector-denied", "node1", "/api/v1/pods")]
    [InlineData("09-sar-node1-get-own-node-allowed", "node1", "/api/v1/nodes/node-1")]
    [InlineData("09-sar-alice-list-pods-team-a-allowed", "alice", "/api/v1/namespaces/team-a/pods")]
    [InlineData("09-sar-alice-list-pods-cluster-denied", "alice", "/api/v1/pods")]
    public void Serialize_ReadAttributes_EqualsTheRecordedReviewRequest(string fixture, string user, string target)
    {
        // Arrange: the attributes of the read the review is about, as the proxy builds them.
        var context = Request(target);
        var attributes = RequestAuthorizer.ForRead(user == "alice" ? Alice : Node1, TestRequests.Parse("GET", target), context.Request.Query, selectors: true);

        // Act
        var sent = JsonNode.Parse(SubjectAccessReviewClient.Serialize(attributes))!;

        // Assert: the same document (key order aside), spec included.
        var recorded = JsonNode.Parse(FixtureRequest.Load(fixture).Body)!;
        Assert.True(JsonNode.DeepEquals(recorded, sent), $"sent {sent.ToJsonString()}\nrecorded {recorded.ToJsonString()}");
    }

    [Fact]
    public void Serialize_EverythingSet_WritesTheWebhookShapeInTheWebhookOrderLeavingOutNothing()
    {
        // Arrange
        var user = UserInfo.Authenticated("alice", "alice-uid", ["developers"], new Dictionary<string, IReadOnlyList<string>> { ["scopes"] = ["a", "b"] });
        var attributes = new AccessReviewAttributes
        {
            User = user,
            Verb = "watch",
            Group = "apps",
            Version = "v1",
            Resource = "deployments",
            Subresource = "status",
            Namespace = "team-a",
            Name = "web",
            FieldSelector = [new SelectorRequirement("metadata.namespace", "NotIn", ["kube-system"])],
            LabelSelector = [new SelectorRequirement("app", "In", ["db", "web"]), new SelectorRequirement("canary", "DoesNotExist", [])],
        };

        // Act
        var json = Encoding.UTF8.GetString(SubjectAccessReviewClient.Serialize(attributes));

        // Assert
        Assert.Equal(
            """{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"resourceAttributes":{"namespace":"team-a","verb":"watch","group":"apps","version":"v1","resource":"deployments","subresource":"status","name":"web","fieldSelector":{"requirements":[{"key":"metadata.namespace","operator":"NotIn","values":["kube-system"]}]},"labelSelector":{"requirements":[{"key":"app","operator":"In","values":["db","web"]},{"key":"canary","operator":"DoesNotExist"}]}},"user":"alice","groups":["developers","system:authenticated"],"extra":{"scopes":["a","b"]},"uid":"alice-uid"}}""",
            json);
    }

    [Fact]
    public void Serialize_NonResource_WritesPathAndVerb()
    {
        // Arrange
        var attributes = new AccessReviewAttributes { User = UserInfo.Anonymous, Verb = "get", IsResourceRequest = false, Path = "/metrics" };

        // Act
        var json = Encoding.UTF8.GetString(SubjectAccessReviewClient.Serialize(attributes));

        // Assert
        Assert.Equal(
            """{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"nonResourceAttributes":{"path":"/metrics","verb":"get"},"user":"system:anonymous","groups":["system:unauthenticated"]}}""",
            json);
    }

    [Theory]
    [InlineData("09-sar-alice-list-pods-team-a-allowed", true, "RBAC: allowed by RoleBinding \"alice-pod-reader/team-a\" of Role \"pod-reader\" to User \"alice\"")]
    [InlineData("09-sar-alice-list-pods-team-b-denied", false, "")]
    [InlineData("09-sar-node1-list-pods-no-selector-denied", false, "can only list/watch pods with spec.nodeName field selector")]
    public void Parse_RecordedAnswer_ReadsAllowedAndReason(string fixture, bool allowed, string reason)
    {
        // Act
        var decision = SubjectAccessReviewClient.Parse(FixtureUpstream.FixtureBody(fixture));

        // Assert
        Assert.Equal(new AccessDecision(allowed, false, reason, ""), decision);
    }

    [Fact]
    public void Parse_DeniedWithEvaluationError_ReadsEveryField()
    {
        // Act
        var decision = SubjectAccessReviewClient.Parse("""{"status":{"allowed":false,"denied":true,"reason":"no","evaluationError":"webhook x failed"}}"""u8.ToArray());

        // Assert
        Assert.Equal(new AccessDecision(false, true, "no", "webhook x failed"), decision);
    }

    [Fact]
    public async Task ReviewAsync_Created_PostsToTheReviewPathAndReturnsTheDecision()
    {
        // Arrange
        _handler.Body = Encoding.UTF8.GetString(FixtureUpstream.FixtureBody("09-sar-node1-list-pods-no-selector-denied"));
        var attributes = new AccessReviewAttributes { User = Node1, Verb = "list", Version = "v1", Resource = "pods" };

        // Act
        var decision = await _client.ReviewAsync(attributes, CancellationToken.None);

        // Assert
        Assert.Equal(new AccessDecision(false, false, "can only list/watch pods with spec.nodeName field selector", ""), decision);
        var (path, body) = Assert.Single(_handler.Requests);
        Assert.Equal("/apis/authorization.k8s.io/v1/subjectaccessreviews", path);
        Assert.Equal(Encoding.UTF8.GetString(SubjectAccessReviewClient.Serialize(attributes)), body);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, """{"status":{"allowed":true}}""")]
    [InlineData(HttpStatusCode.Forbidden, """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"subjectaccessreviews.authorization.k8s.io is forbidden","reason":"Forbidden","code":403}""")]
    [InlineData(HttpStatusCode.UnprocessableEntity, """{"kind":"Status","apiVersion":"v1","status":"Failure","code":422}""")]
    [InlineData(HttpStatusCode.InternalServerError, "")]
    [InlineData(HttpStatusCode.Created, "not json")]
    [InlineData(HttpStatusCode.Created, """{"kind":"SubjectAccessReview"}""")]
    public async Task ReviewAsync_NotACreatedReview_ThrowsUnavailable(HttpStatusCode status, string body)
    {
        // Arrange
        _handler.Status = status;
        _handler.Body = body;

        // Act + Assert
        await Assert.ThrowsAsync<AccessReviewUnavailableException>(async () =>
            await _client.ReviewAsync(new AccessReviewAttributes { User = Alice, Verb = "get", Version = "v1", Resource = "pods", Namespace = "team-a", Name = "web-1" }, CancellationToken.None));
    }

    [Fact]
    public async Task ReviewAsync_UpstreamUnreachable_ThrowsUnavailable()
    {
        // Arrange
        _handler.Unreachable = true;

        // Act + Assert
        var error = await Assert.ThrowsAsync<AccessReviewUnavailableException>(async () =>
            await _client.ReviewAsync(new AccessReviewAttributes { User = Alice, Verb = "list", Version = "v1", Resource = "pods" }, CancellationToken.None));
        Assert.Contains("Connection refused", error.Message, StringComparison.Ordinal);
    }

    private static DefaultHttpContext Request(string target)
    {
        var context = new DefaultHttpContext();
        var question = target.IndexOf('?', StringComparison.Ordinal);
        context.Request.Method = "GET";
        context.Request.Path = question < 0 ? target : target[..question];
        context.Request.QueryString = new QueryString(question < 0 ? "" : target[question..]);
        return context;
    }
}
