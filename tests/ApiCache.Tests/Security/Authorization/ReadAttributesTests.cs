using ApiCache.Security;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace ApiCache.Tests.Security.Authorization;

/// <summary>
/// The attributes a cache-served read is authorized with, as the apiserver builds them: verb, group,
/// version, resource, namespace, name (a list's metadata.name field selector included), and the
/// list/watch selectors as requirements when selector authorization is on.
/// </summary>
public sealed class ReadAttributesTests
{
    private static readonly UserInfo Node1 = UserInfo.Authenticated("system:node:node-1", "", ["system:nodes"]);

    [Theory]
    [InlineData("/api/v1/namespaces/team-a/pods/web-1", "get", "", "pods", "team-a", "web-1")]
    [InlineData("/api/v1/namespaces/team-a/pods", "list", "", "pods", "team-a", "")]
    [InlineData("/api/v1/pods?watch=1", "watch", "", "pods", "", "")]
    [InlineData("/api/v1/watch/namespaces/team-a/pods/web-1", "watch", "", "pods", "team-a", "web-1")]
    [InlineData("/api/v1/nodes?fieldSelector=metadata.name%3Dnode-1", "list", "", "nodes", "", "node-1")]
    [InlineData("/apis/apps/v1/namespaces/team-a/deployments?watch=true&fieldSelector=metadata.name%3D%3Dweb", "watch", "apps", "deployments", "team-a", "web")]
    [InlineData("/api/v1/namespaces/team-a", "get", "", "namespaces", "team-a", "team-a")]
    public void ForRead_Request_HasTheApiserversAttributes(string target, string verb, string group, string resource, string ns, string name)
    {
        // Act
        var attributes = RequestAuthorizer.ForRead(Node1, TestRequests.Parse("GET", target), Query(target), selectors: false);

        // Assert
        Assert.Equal((verb, group, resource, ns, name), (attributes.Verb, attributes.Group, attributes.Resource, attributes.Namespace, attributes.Name));
        Assert.Equal("v1", attributes.Version);
        Assert.Same(Node1, attributes.User);
        Assert.True(attributes.IsResourceRequest);
        Assert.Empty(attributes.FieldSelector);
        Assert.Empty(attributes.LabelSelector);
    }

    [Fact]
    public void ForRead_ListWithSelectors_SendsThemAsRequirements()
    {
        // Arrange: field terms are sorted as the apiserver parses them; label set-based and equality terms.
        const string target = "/api/v1/pods?fieldSelector=status.phase%21%3DFailed,spec.nodeName%3Dnode-1&labelSelector=app%20in%20(web,db),tier%3Dfrontend,!canary,release";

        // Act
        var attributes = RequestAuthorizer.ForRead(Node1, TestRequests.Parse("GET", target), Query(target), selectors: true);

        // Assert
        Assert.Equal(
            [new SelectorRequirement("spec.nodeName", "In", ["node-1"]), new SelectorRequirement("status.phase", "NotIn", ["Failed"])],
            attributes.FieldSelector,
            RequirementComparer.Instance);
        Assert.Equal(
            ["app In db,web", "canary DoesNotExist ", "release Exists ", "tier In frontend"],
            attributes.LabelSelector.Select(r => $"{r.Key} {r.Operator} {string.Join(',', r.Values)}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ForRead_SelectorsOff_SendsNone()
    {
        // Arrange
        const string target = "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1&labelSelector=app%3Dweb";

        // Act
        var attributes = RequestAuthorizer.ForRead(Node1, TestRequests.Parse("GET", target), Query(target), selectors: false);

        // Assert
        Assert.Empty(attributes.FieldSelector);
        Assert.Empty(attributes.LabelSelector);
    }

    [Fact]
    public void ForRead_MalformedFieldSelector_SendsNoFieldRequirementsButTheLabelOnes()
    {
        // Arrange
        const string target = "/api/v1/pods?fieldSelector=spec.nodeName&labelSelector=app%3Dweb";

        // Act
        var attributes = RequestAuthorizer.ForRead(Node1, TestRequests.Parse("GET", target), Query(target), selectors: true);

        // Assert
        Assert.Empty(attributes.FieldSelector);
        Assert.Equal("app", Assert.Single(attributes.LabelSelector).Key);
    }

    [Fact]
    public void ForRead_NumericLabelComparison_IsLeftOutAsTheWebhookAuthorizerDoes()
    {
        // Arrange: "gt" cannot be expressed in a SubjectAccessReview; requirements only narrow, so it is dropped.
        const string target = "/api/v1/pods?labelSelector=replicas%3E2,app%3Dweb";

        // Act
        var attributes = RequestAuthorizer.ForRead(Node1, TestRequests.Parse("GET", target), Query(target), selectors: true);

        // Assert
        Assert.Equal("app", Assert.Single(attributes.LabelSelector).Key);
    }

    [Fact]
    public void ForRead_Get_NeverCarriesSelectors()
    {
        // Arrange
        const string target = "/api/v1/namespaces/team-a/pods/web-1?fieldSelector=spec.nodeName%3Dnode-1";

        // Act
        var attributes = RequestAuthorizer.ForRead(Node1, TestRequests.Parse("GET", target), Query(target), selectors: true);

        // Assert
        Assert.Empty(attributes.FieldSelector);
    }

    [Theory]
    [InlineData("GET", "get")]
    [InlineData("PUT", "put")]
    [InlineData("DELETE", "delete")]
    [InlineData("PATCH", "patch")]
    [InlineData("POST", "post")]
    public void ForPath_Method_IsTheLowerCasedVerb(string method, string verb)
    {
        // Arrange
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = "/apicache/v1/throttles/slow";

        // Act
        var attributes = RequestAuthorizer.ForPath(Node1, context.Request);

        // Assert
        Assert.Equal((false, verb, "/apicache/v1/throttles/slow"), (attributes.IsResourceRequest, attributes.Verb, attributes.Path));
    }

    private static QueryCollection Query(string target)
    {
        var question = target.IndexOf('?', StringComparison.Ordinal);
        return new QueryCollection(QueryHelpers.ParseQuery(question < 0 ? "" : target[question..]));
    }

    /// <summary>Requirements compared by key, operator and values (records compare lists by reference).</summary>
    private sealed class RequirementComparer : IEqualityComparer<SelectorRequirement>
    {
        public static readonly RequirementComparer Instance = new();

        public bool Equals(SelectorRequirement? x, SelectorRequirement? y) =>
            x is not null && y is not null && x.Key == y.Key && x.Operator == y.Operator && x.Values.SequenceEqual(y.Values);

        public int GetHashCode(SelectorRequirement obj) => HashCode.Combine(obj.Key, obj.Operator);
    }
}
