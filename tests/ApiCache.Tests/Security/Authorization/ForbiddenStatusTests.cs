using System.Text;
using ApiCache.Security;
using ApiCache.Serving;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Security.Authorization;

/// <summary>
/// The 403 bodies <see cref="ForbiddenStatus"/> builds equal the real apiserver's, byte for byte
/// (fixtures 04-err-403-* and 09-tokenreview-by-alice-403), for the attributes and authorizer reason
/// of each recorded request.
/// </summary>
public sealed class ForbiddenStatusTests
{
    private static readonly UserInfo Alice = UserInfo.Authenticated("alice", "", ["developers"]);
    private static readonly UserInfo Node1 = UserInfo.Authenticated("system:node:node-1", "", ["system:nodes"]);

    public static TheoryData<string, string, string, string, string, string, string> Fixtures() => new()
    {
        // fixture, user, verb, group, resource, namespace, name (reasons below)
        { "04-err-403-alice-get-configmap-team-a", "alice", "get", "", "configmaps", "team-a", "app-config" },
        { "04-err-403-alice-get-missing-pod-team-b", "alice", "get", "", "pods", "team-b", "nope" },
        { "04-err-403-alice-get-pod-team-b", "alice", "get", "", "pods", "team-b", "web-1" },
        { "04-err-403-alice-list-pods-cluster-wide", "alice", "list", "", "pods", "", "" },
        { "04-err-403-alice-list-pods-team-b", "alice", "list", "", "pods", "team-b", "" },
        { "04-err-403-alice-watch-pods-team-b", "alice", "watch", "", "pods", "team-b", "" },
        { "04-err-403-no-credentials-anonymous", "anonymous", "list", "", "pods", "", "" },
        { "04-err-403-node1-get-other-node", "node1", "get", "", "nodes", "", "node-2" },
        { "04-err-403-node1-get-pod-on-other-node", "node1", "get", "", "pods", "team-a", "web-2" },
        { "04-err-403-node1-list-configmaps", "node1", "list", "", "configmaps", "team-a", "" },
        { "04-err-403-node1-list-nodes-no-selector", "node1", "list", "", "nodes", "", "" },
        { "04-err-403-node1-list-pods-no-selector", "node1", "list", "", "pods", "", "" },
        { "04-err-403-node1-list-pods-other-node", "node1", "list", "", "pods", "", "" },
        { "09-tokenreview-by-alice-403", "alice", "create", "authentication.k8s.io", "tokenreviews", "", "" },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Create_RecordedDenial_MatchesTheApiserverBodyByteForByte(string fixture, string user, string verb, string group, string resource, string ns, string name)
    {
        // Arrange
        var attributes = new AccessReviewAttributes
        {
            User = user switch { "alice" => Alice, "node1" => Node1, _ => UserInfo.Anonymous },
            Verb = verb,
            Group = group,
            Version = "v1",
            Resource = resource,
            Namespace = ns,
            Name = name,
        };

        // Act
        var body = StatusWriter.ToBytes(ForbiddenStatus.Create(attributes, Reason(fixture)));

        // Assert
        Assert.Equal(FixtureUpstream.FixtureText(fixture), Encoding.UTF8.GetString(body));
    }

    [Fact]
    public void Create_NonResourcePath_HasTheApiserverWordingAndEmptyDetails()
    {
        // Arrange: errors.NewForbidden with an empty GroupResource: "forbidden: ..." and a details object with nothing in it.
        var attributes = new AccessReviewAttributes { User = Alice, Verb = "put", IsResourceRequest = false, Path = "/apicache/v1/throttles/x" };

        // Act
        var body = Encoding.UTF8.GetString(StatusWriter.ToBytes(ForbiddenStatus.Create(attributes, "")));

        // Assert
        Assert.Equal(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"forbidden: User \\\"alice\\\" cannot put path \\\"/apicache/v1/throttles/x\\\"\",\"reason\":\"Forbidden\",\"details\":{},\"code\":403}\n",
            body);
    }

    [Fact]
    public void Create_Subresource_NamesResourceSlashSubresource()
    {
        // Arrange
        var attributes = new AccessReviewAttributes { User = Alice, Verb = "get", Resource = "pods", Subresource = "log", Namespace = "team-b", Name = "web-1" };

        // Act
        var error = ForbiddenStatus.Create(attributes, "");

        // Assert
        Assert.Equal("pods \"web-1\" is forbidden: User \"alice\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"team-b\"", error.Message);
        Assert.Equal("pods", error.DetailsKind);
    }

    /// <summary>The authorizer's reason the apiserver appended to each recorded 403 (RBAC gives none).</summary>
    private static string Reason(string fixture) => fixture switch
    {
        "04-err-403-node1-get-other-node" => "node 'node-1' cannot read 'node-2', only its own Node object",
        "04-err-403-node1-get-pod-on-other-node" => "no relationship found between node 'node-1' and this object",
        "04-err-403-node1-list-configmaps" => "No Object name found",
        "04-err-403-node1-list-nodes-no-selector" => "node 'node-1' cannot read all nodes, only its own Node object",
        "04-err-403-node1-list-pods-no-selector" or "04-err-403-node1-list-pods-other-node" => "can only list/watch pods with spec.nodeName field selector",
        _ => "",
    };
}
