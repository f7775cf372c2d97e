using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ApiCache.DevServer.Configuration;
using ApiCache.DevServer.Discovery;
using ApiCache.DevServer.Resources;
using ApiCache.Tests.Infrastructure;
using static ApiCache.Tests.DevServer.Discovery.DiscoveryTestCatalog;

namespace ApiCache.Tests.DevServer.Discovery;

/// <summary>
/// The discovery documents against the recorded kube-apiserver 1.34 answers (fixtures 01-discovery-*):
/// for every resource both serve, the same field names, order and values.
/// </summary>
public sealed class DiscoveryDocumentsTests
{
    private readonly DiscoveryDocuments _documents = Documents();

    public static TheoryData<string, string, string> ResourceLists => new()
    {
        { "", "v1", "01-discovery-api-v1" },
        { "apps", "v1", "01-discovery-apis-apps-v1" },
        { "example.com", "v1", "01-discovery-apis-example.com-v1" },
    };

    [Theory]
    [MemberData(nameof(ResourceLists))]
    public void ResourceList_ServedResources_MatchFixtureEntriesExactly(string group, string version, string fixture)
    {
        // Arrange
        var expected = FixtureJson(fixture);

        // Act
        var actual = Parse(_documents.ResourceList(group, version)!.Content);

        // Assert: same envelope (the core list has no apiVersion, group lists do), then each entry
        // (resources and their subresources, storageVersionHash included) equal to the apiserver's.
        Assert.Equal(Keys(expected), Keys(actual));
        Assert.Equal(Text(expected["kind"]), Text(actual["kind"]));
        Assert.Equal(Text(expected["groupVersion"]), Text(actual["groupVersion"]));
        var names = new List<string>();
        foreach (var entry in actual["resources"]!.AsArray())
        {
            var name = (string)entry!["name"]!;
            names.Add(name);
            var recorded = Find(expected["resources"], "name", name);
            Assert.True(recorded is not null, $"{name} is not in {fixture}");
            Assert.Equal(Text(recorded), Text(entry));
        }

        // In the apiserver's order, which is by name.
        var recordedOrder = expected["resources"]!.AsArray().Select(e => (string)e!["name"]!).Where(names.Contains);
        Assert.Equal(recordedOrder, names);
    }

    [Fact]
    public void ResourceList_CoreV1_ListsEveryBuiltInWithItsStatus()
    {
        var names = Parse(_documents.ResourceList("", "v1")!.Content)["resources"]!.AsArray().Select(e => (string)e!["name"]!);

        Assert.Equal(
            ["configmaps", "endpoints", "events", "namespaces", "namespaces/status", "nodes", "nodes/status", "pods", "pods/status",
             "secrets", "serviceaccounts", "services", "services/status"],
            names);
    }

    [Fact]
    public void ResourceList_CustomResource_IsTheRecordedBodyByteForByte()
    {
        // widgets/status and all of widgets' fields are what the fixture holds, nothing else.
        Assert.Equal(FixtureUpstream.FixtureBody("01-discovery-apis-example.com-v1"), _documents.ResourceList("example.com", "v1")!.Content);
    }

    [Fact]
    public void Group_CustomResourceGroup_IsTheRecordedBodyByteForByte()
    {
        Assert.Equal(FixtureUpstream.FixtureBody("01-discovery-apis-example.com"), _documents.Group("example.com")!.Content);
    }

    [Fact]
    public void ApiVersions_FixtureServerAddress_IsTheRecordedBodyByteForByte()
    {
        Assert.Equal(FixtureUpstream.FixtureBody("01-discovery-api"), _documents.ApiVersions("127.0.0.1:6543").Content);
    }

    [Fact]
    public void GroupList_ServedGroups_MatchFixtureEntriesInCatalogOrder()
    {
        // Arrange
        var expected = FixtureJson("01-discovery-apis");

        // Act
        var actual = Parse(_documents.GroupList.Content);

        // Assert
        Assert.Equal(Keys(expected), Keys(actual));
        Assert.Equal(Text(expected["kind"]), Text(actual["kind"]));
        Assert.Equal(Text(expected["apiVersion"]), Text(actual["apiVersion"]));
        var groups = actual["groups"]!.AsArray();
        Assert.Equal(["apps", "coordination.k8s.io", "example.com"], groups.Select(g => (string)g!["name"]!));
        foreach (var group in groups)
        {
            Assert.Equal(Text(Find(expected["groups"], "name", (string)group!["name"]!)), Text(group));
        }
    }

    [Theory]
    [InlineData(true, "01-discovery-api-aggregated")]
    [InlineData(false, "01-discovery-apis-aggregated")]
    public void Aggregated_V2_MatchesFixtureForServedGroupsAndResources(bool core, string fixture)
    {
        // Arrange
        var expected = FixtureJson(fixture);

        // Act
        var actual = Parse(_documents.Aggregated(core, DiscoveryFormat.AggregatedV2).Content);

        // Assert: envelope, then per group its metadata, version fields in order, and per resource
        // every field (the fixture's subresources cut down to the ones the dev server serves).
        Assert.Equal(Keys(expected), Keys(actual));
        foreach (var key in new[] { "kind", "apiVersion", "metadata" })
        {
            Assert.Equal(Text(expected[key]), Text(actual[key]));
        }

        var items = actual["items"]!.AsArray();
        Assert.Equal(core ? [""] : ["apps", "coordination.k8s.io", "example.com"], items.Select(i => (string?)i!["metadata"]!["name"] ?? ""));
        foreach (var item in items)
        {
            var name = (string?)item!["metadata"]!["name"];
            var recordedItem = expected["items"]!.AsArray().Single(i => (string?)i!["metadata"]!["name"] == name)!;
            Assert.Equal(Keys(recordedItem), Keys(item));
            Assert.Equal(Text(recordedItem["metadata"]), Text(item["metadata"]));
            var version = Assert.Single(item["versions"]!.AsArray())!;
            var recordedVersion = Assert.Single(recordedItem["versions"]!.AsArray())!;
            Assert.Equal(Keys(recordedVersion), Keys(version));
            Assert.Equal(Text(recordedVersion["version"]), Text(version["version"]));
            Assert.Equal(Text(recordedVersion["freshness"]), Text(version["freshness"]));
            foreach (var resource in version["resources"]!.AsArray())
            {
                var resourceName = (string)resource!["resource"]!;
                var recorded = Find(recordedVersion["resources"], "resource", resourceName);
                Assert.True(recorded is not null, $"{resourceName} is not in {fixture}");
                var served = resource["subresources"]?.AsArray().Select(s => (string)s!["subresource"]!) ?? [];
                Assert.Equal(Text(WithSubresources(recorded, served)), Text(resource));
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Aggregated_V2Beta1_SameDocumentWithItsOwnApiVersionAndContentType(bool core)
    {
        var v2 = _documents.Aggregated(core, DiscoveryFormat.AggregatedV2);
        var v2beta1 = _documents.Aggregated(core, DiscoveryFormat.AggregatedV2Beta1);

        Assert.Equal("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList", v2beta1.ContentType);
        Assert.Equal(FixtureUpstream.Fixture("01-discovery-apis-aggregated").Header("Content-Type"), v2.ContentType);
        var text = Encoding.UTF8.GetString(v2beta1.Content);
        Assert.StartsWith("{\"kind\":\"APIGroupDiscoveryList\",\"apiVersion\":\"apidiscovery.k8s.io/v2beta1\",", text, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetString(v2.Content), text.Replace("apidiscovery.k8s.io/v2beta1", "apidiscovery.k8s.io/v2", StringComparison.Ordinal));
        Assert.NotEqual(v2.ETag, v2beta1.ETag);
    }

    [Fact]
    public void Aggregated_ETag_IsUpperCaseSha512HexLikeTheApiserver()
    {
        var body = _documents.Aggregated(core: false, DiscoveryFormat.AggregatedV2);

        Assert.Matches("^[0-9A-F]{128}$", body.ETag);
        Assert.Matches("^\"[0-9A-F]{128}\"$", FixtureUpstream.Fixture("01-discovery-apis-aggregated").Header("Etag"));
        Assert.Equal(body.ETag, Documents().Aggregated(core: false, DiscoveryFormat.AggregatedV2).ETag);
    }

    [Fact]
    public void CompactDocuments_EndWithNewlineLikeTheApiserver()
    {
        Assert.All(
            [_documents.GroupList, _documents.ResourceList("", "v1")!, _documents.Aggregated(true, DiscoveryFormat.AggregatedV2)],
            body => Assert.Equal((byte)'\n', body.Content[^1]));
        Assert.Equal((byte)'\n', FixtureUpstream.FixtureBody("01-discovery-apis")[^1]);
    }

    [Fact]
    public void Version_KeysAndFormatting_MatchFixture()
    {
        // Arrange: .NET's indented writer reproduces the fixture byte for byte, so it is the yardstick.
        var indented = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var fixture = FixtureUpstream.FixtureBody("01-discovery-version");
        Assert.Equal(Encoding.UTF8.GetString(fixture), FixtureJson("01-discovery-version").ToJsonString(indented));

        // Act
        var body = _documents.Version.Content;

        // Assert
        var actual = Parse(body);
        Assert.Equal(Keys(FixtureJson("01-discovery-version")), Keys(actual));
        Assert.Equal(actual.ToJsonString(indented), Encoding.UTF8.GetString(body));
        Assert.Equal("1", (string?)actual["major"]);
        Assert.Equal("34", (string?)actual["minor"]);
        Assert.StartsWith("v1.34.", (string?)actual["gitVersion"], StringComparison.Ordinal);
        Assert.All(actual.AsObject(), p => Assert.Equal(JsonValueKind.String, p.Value!.GetValueKind()));
    }

    [Fact]
    public void Group_ExtraResourceInTwoVersions_PrefersTheGaVersion()
    {
        // Arrange
        var beta = Widgets();
        beta.Version = "v1beta1";
        var documents = new DiscoveryDocuments(Catalog(beta));

        // Act
        var group = Parse(documents.Group("example.com")!.Content);

        // Assert
        Assert.Equal(["example.com/v1", "example.com/v1beta1"], group["versions"]!.AsArray().Select(v => (string)v!["groupVersion"]!));
        Assert.Equal("{\"groupVersion\":\"example.com/v1\",\"version\":\"v1\"}", Text(group["preferredVersion"]));
        Assert.NotNull(documents.ResourceList("example.com", "v1beta1"));
        Assert.NotNull(documents.OpenApiV3("apis/example.com/v1beta1"));
    }

    [Fact]
    public void Lookups_UnservedGroupOrVersion_ReturnNull()
    {
        Assert.Null(_documents.Group("batch"));
        Assert.Null(_documents.Group(""));
        Assert.Null(_documents.ResourceList("apps", "v2"));
        Assert.Null(_documents.ResourceList("", "v2"));
        Assert.Null(_documents.OpenApiV3("apis/batch/v1"));
    }

    [Fact]
    public void ResourceList_ClusterScopedExtraWithoutStatus_HasNoSubresourceAndClusterScope()
    {
        // Arrange
        var gadgets = new ExtraResourceOptions { Group = "example.com", Version = "v1", Resource = "gadgets", Kind = "Gadget", Namespaced = false, HasStatus = false };
        var documents = new DiscoveryDocuments(Catalog(gadgets));

        // Act
        var legacy = Parse(documents.ResourceList("example.com", "v1")!.Content);
        var aggregated = Parse(documents.Aggregated(core: false, DiscoveryFormat.AggregatedV2).Content);

        // Assert
        Assert.Equal(
            "{\"name\":\"gadgets\",\"singularName\":\"gadget\",\"namespaced\":false,\"kind\":\"Gadget\",\"verbs\":[\"delete\",\"deletecollection\",\"get\",\"list\",\"patch\",\"create\",\"update\",\"watch\"],\"storageVersionHash\":\""
                + ResourceDiscovery.StorageVersionHash(new ResourceCatalog([gadgets]).Find("example.com", "v1", "gadgets")!) + "\"}",
            Text(legacy["resources"]![0]));
        Assert.Equal(["gadgets", "widgets", "widgets/status"], legacy["resources"]!.AsArray().Select(r => (string)r!["name"]!));
        var exampleCom = aggregated["items"]!.AsArray().Single(i => (string?)i!["metadata"]!["name"] == "example.com")!;
        var gadget = Find(exampleCom["versions"]![0]!["resources"], "resource", "gadgets");
        Assert.Equal(
            "{\"resource\":\"gadgets\",\"responseKind\":{\"group\":\"example.com\",\"version\":\"v1\",\"kind\":\"Gadget\"},\"scope\":\"Cluster\",\"singularResource\":\"gadget\",\"verbs\":[\"delete\",\"deletecollection\",\"get\",\"list\",\"patch\",\"create\",\"update\",\"watch\"]}",
            Text(gadget));
    }
}
