using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ApiCache.DevServer.Discovery;
using ApiCache.Tests.Infrastructure;
using static ApiCache.Tests.DevServer.Discovery.DiscoveryTestCatalog;

namespace ApiCache.Tests.DevServer.Discovery;

/// <summary>The discovery routes over real HTTP: status, headers as the apiserver sends them, bodies, negotiation, revalidation.</summary>
public sealed class DiscoveryEndpointsTests : IAsyncLifetime, IDisposable
{
    private const string Kubectl133Accept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

    private const string Kubectl127Accept = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

    private readonly DiscoveryDocuments _documents = Documents();
    private LoopbackServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(app => app.MapDiscovery(_documents));
        _client = new HttpClient { BaseAddress = _server.Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    public void Dispose() => _client.Dispose();

    [Theory]
    [InlineData("/version", "01-discovery-version")]
    [InlineData("/api", "01-discovery-api")]
    [InlineData("/api/v1", "01-discovery-api-v1")]
    [InlineData("/apis", "01-discovery-apis")]
    [InlineData("/apis/apps/v1", "01-discovery-apis-apps-v1")]
    [InlineData("/apis/example.com", "01-discovery-apis-example.com")]
    [InlineData("/apis/example.com/v1", "01-discovery-apis-example.com-v1")]
    public async Task Get_PlainJson_HeadersLikeFixture(string path, string fixture)
    {
        // Act
        using var response = await GetAsync(path, "application/json");

        // Assert
        var recorded = FixtureUpstream.Fixture(fixture);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(recorded.Header("Content-Type"), ContentType(response));
        Assert.Equal(recorded.Header("Cache-Control"), Header(response, "Cache-Control"));
        Assert.Null(Header(response, "ETag"));
        Assert.Null(Header(response, "Vary"));
    }

    [Theory]
    [InlineData("/apis/example.com", "01-discovery-apis-example.com")]
    [InlineData("/apis/example.com/v1", "01-discovery-apis-example.com-v1")]
    public async Task Get_CustomResourceGroup_BodyIsTheFixtureBody(string path, string fixture)
    {
        using var response = await GetAsync(path, "application/json");

        Assert.Equal(FixtureUpstream.FixtureBody(fixture), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetApi_PlainJson_NamesTheAddressTheClientReached()
    {
        using var response = await GetAsync("/api", "application/json");

        var expected = Encoding.UTF8.GetString(FixtureUpstream.FixtureBody("01-discovery-api"))
            .Replace("127.0.0.1:6543", _server.Address.Authority, StringComparison.Ordinal);
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GetVersion_AnyClient_IndentedBodyWithoutTrailingNewline()
    {
        using var response = await GetAsync("/version", "application/json, */*");

        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(_documents.Version.Content, body);
        Assert.StartsWith("{\n  \"major\": \"1\",\n  \"minor\": \"34\",\n", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        Assert.Equal((byte)'}', body[^1]);
    }

    [Theory]
    [InlineData("/api", Kubectl133Accept, "01-discovery-api-aggregated", "apidiscovery.k8s.io/v2")]
    [InlineData("/apis", Kubectl133Accept, "01-discovery-apis-aggregated", "apidiscovery.k8s.io/v2")]
    [InlineData("/api", Kubectl127Accept, null, "apidiscovery.k8s.io/v2beta1")]
    [InlineData("/apis", Kubectl127Accept, null, "apidiscovery.k8s.io/v2beta1")]
    public async Task Get_KubectlAccept_AggregatedDiscoveryWithCacheHeaders(string path, string accept, string? fixture, string apiVersion)
    {
        // Act
        using var response = await GetAsync(path, accept);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expectedContentType = fixture is null
            ? "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
            : FixtureUpstream.Fixture(fixture).Header("Content-Type");
        Assert.Equal(expectedContentType, ContentType(response));
        Assert.Equal("public", Header(response, "Cache-Control"));
        Assert.Equal("Accept", Header(response, "Vary"));
        Assert.Matches("^\"[0-9A-F]{128}\"$", Header(response, "ETag"));
        if (fixture is not null)
        {
            var recorded = FixtureUpstream.Fixture(fixture);
            Assert.Equal(recorded.Header("Cache-Control"), Header(response, "Cache-Control"));
            Assert.Equal(recorded.Header("Vary"), Header(response, "Vary"));
        }

        var body = JsonNode.Parse(await response.Content.ReadAsByteArrayAsync())!;
        Assert.Equal("APIGroupDiscoveryList", (string?)body["kind"]);
        Assert.Equal(apiVersion, (string?)body["apiVersion"]);
    }

    [Fact]
    public async Task GetApis_IfNoneMatchCurrentETag_NotModifiedWithoutBody()
    {
        // Arrange
        using var first = await GetAsync("/apis", Kubectl133Accept);
        var etag = Header(first, "ETag")!;

        // Act
        using var request = new HttpRequestMessage(HttpMethod.Get, "/apis");
        request.Headers.TryAddWithoutValidation("Accept", Kubectl133Accept);
        request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        using var response = await _client.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, Header(response, "ETag"));
    }

    [Fact]
    public async Task GetApis_IfNoneMatchOfOtherVersion_FullAnswer()
    {
        // The v2beta1 ETag does not validate the v2 document.
        using var v2beta1 = await GetAsync("/apis", Kubectl127Accept);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/apis");
        request.Headers.TryAddWithoutValidation("Accept", Kubectl133Accept);
        request.Headers.TryAddWithoutValidation("If-None-Match", Header(v2beta1, "ETag"));

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_documents.Aggregated(core: false, DiscoveryFormat.AggregatedV2).Content, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/apis/batch")]
    [InlineData("/apis/batch/v1")]
    [InlineData("/apis/apps/v2")]
    [InlineData("/apis/example.com/v2")]
    [InlineData("/openapi/v3/apis/batch/v1")]
    [InlineData("/openapi/v3/api/v2")]
    public async Task Get_UnservedGroupOrVersion_ApiserverNotFoundStatus(string path)
    {
        using var response = await GetAsync(path, "application/json");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", ContentType(response));
        Assert.Equal(FixtureUpstream.FixtureBody("03-get-unknown-resource-404"), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetOpenApiV3Index_LikeFixture_EveryGroupVersionWithHashedUrl()
    {
        // Act
        using var response = await GetAsync("/openapi/v3", "application/json, */*");

        // Assert
        var recorded = FixtureUpstream.Fixture("01-discovery-openapi-v3-index");
        Assert.Equal(recorded.Header("Content-Type"), ContentType(response));
        Assert.Equal(recorded.Header("Cache-Control"), Header(response, "Cache-Control"));
        Assert.NotNull(response.Content.Headers.LastModified);
        var paths = JsonNode.Parse(await response.Content.ReadAsByteArrayAsync())!["paths"]!.AsObject();
        Assert.Equal(["api/v1", "apis/apps/v1", "apis/coordination.k8s.io/v1", "apis/example.com/v1"], paths.Select(p => p.Key));
        foreach (var (path, entry) in paths)
        {
            Assert.Equal(Keys(FixtureJson("01-discovery-openapi-v3-index")["paths"]!["api/v1"]), Keys(entry));
            Assert.Matches($"^/openapi/v3/{path.Replace(".", "\\.", StringComparison.Ordinal)}\\?hash=[0-9A-F]{{128}}$", (string?)entry!["serverRelativeURL"]);
        }
    }

    [Fact]
    public async Task GetOpenApiV3Index_IfModifiedSinceNow_NotModified()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v3");
        request.Headers.IfModifiedSince = DateTimeOffset.UtcNow.AddMinutes(1);

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Theory]
    [InlineData("api/v1", "", "v1", "Pod")]
    [InlineData("api/v1", "", "v1", "Node")]
    [InlineData("apis/apps/v1", "apps", "v1", "Deployment")]
    [InlineData("apis/coordination.k8s.io/v1", "coordination.k8s.io", "v1", "Lease")]
    [InlineData("apis/example.com/v1", "example.com", "v1", "Widget")]
    public async Task GetOpenApiV3Document_HashedUrl_ImmutableAndDeclaresServerSideFieldValidation(string path, string group, string version, string kind)
    {
        // Arrange
        var url = await ServerRelativeUrlAsync(path);

        // Act
        using var response = await GetAsync(url, "application/json");

        // Assert: cacheable forever under its hash, and what kubectl looks for (cli-runtime's
        // query-param verifier): a PATCH operation of the GVK whose own parameters include
        // fieldValidation; POST and PUT take it too; a schema tagged with the GVK.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", ContentType(response));
        Assert.Equal("public, immutable", Header(response, "Cache-Control"));
        Assert.NotNull(response.Content.Headers.Expires);
        var document = JsonNode.Parse(await response.Content.ReadAsByteArrayAsync())!;
        Assert.Equal("3.0.0", (string?)document["openapi"]);
        var gvk = $"{{\"group\":\"{group}\",\"kind\":\"{kind}\",\"version\":\"{version}\"}}";
        var operations = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(o => o.Key != "parameters").Select(o => (Method: o.Key, Operation: o.Value!)))
            .Where(o => Text(o.Operation["x-kubernetes-group-version-kind"]) == gvk)
            .ToList();
        Assert.Equal(
            ["delete", "deletecollection", "get", "list", "patch", "post", "put"],
            operations.Select(o => (string)o.Operation["x-kubernetes-action"]!).Distinct().Order(StringComparer.Ordinal));
        foreach (var (method, operation) in operations.Where(o => o.Method is "post" or "put" or "patch"))
        {
            Assert.Contains("fieldValidation", operation["parameters"]!.AsArray().Select(p => (string)p!["name"]!));
            Assert.NotNull(operation["requestBody"]!["content"]);
        }

        var schemas = document["components"]!["schemas"]!.AsObject();
        var tagged = schemas.Where(s => s.Value!["x-kubernetes-group-version-kind"] is JsonArray gvks && gvks.Any(g => Text(g) == gvk));
        var schema = Assert.Single(tagged).Value!;
        Assert.Equal("object", (string?)schema["type"]);
        Assert.True((bool)schema["x-kubernetes-preserve-unknown-fields"]!);
    }

    [Fact]
    public async Task GetOpenApiV3Document_StaleHash_RedirectsToCurrentUrl()
    {
        var current = await ServerRelativeUrlAsync("apis/apps/v1");
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _server.Address };

        using var response = await client.GetAsync(new Uri("/openapi/v3/apis/apps/v1?hash=0123", UriKind.Relative));

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal(current, response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task GetOpenApiV3Document_WithoutHash_NotCacheableButRevalidatable()
    {
        using var response = await GetAsync("/openapi/v3/api/v1", "application/json");
        var etag = Header(response, "ETag");
        using var revalidation = new HttpRequestMessage(HttpMethod.Get, "/openapi/v3/api/v1");
        revalidation.Headers.TryAddWithoutValidation("If-None-Match", etag);
        using var second = await _client.SendAsync(revalidation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-cache, private", Header(response, "Cache-Control"));
        Assert.Equal(_documents.OpenApiV3("api/v1")!.Content, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task GetOpenApiV2_ClientGoAccept_ProtobufSwaggerDocument()
    {
        using var response = await GetAsync("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/com.github.proto-openapi.spec.v2.v1.0+protobuf", ContentType(response));
        var body = await response.Content.ReadAsByteArrayAsync();
        // Field 1 (swagger), length 3, "2.0"; then field 2 (info).
        Assert.Equal(new byte[] { 0x0A, 0x03, (byte)'2', (byte)'.', (byte)'0', 0x12 }, body[..6]);
    }

    [Fact]
    public async Task GetOpenApiV2_Json_EmptySwaggerDocument()
    {
        using var response = await GetAsync("/openapi/v2", "application/json");

        Assert.Equal(FixtureUpstream.Fixture("01-discovery-openapi-v2-first2KB").Header("Content-Type"), ContentType(response));
        Assert.Equal("no-cache, private", Header(response, "Cache-Control"));
        var document = JsonNode.Parse(await response.Content.ReadAsByteArrayAsync())!;
        Assert.Equal("{\"swagger\":\"2.0\",\"info\":{\"title\":\"Kubernetes\",\"version\":\"1.34\"},\"paths\":{},\"definitions\":{}}", Text(document));
    }

    private async Task<HttpResponseMessage> GetAsync(string pathAndQuery, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return await _client.SendAsync(request);
    }

    private async Task<string> ServerRelativeUrlAsync(string path)
    {
        using var index = await GetAsync("/openapi/v3", "application/json");
        return (string)JsonNode.Parse(await index.Content.ReadAsByteArrayAsync())!["paths"]![path]!["serverRelativeURL"]!;
    }

    /// <summary>The Content-Type exactly as sent (HttpClient's parsed form re-spaces parameters).</summary>
    private static string? ContentType(HttpResponseMessage response) =>
        response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var values) ? values.ToString() : null;

    private static string? Header(HttpResponseMessage response, string name)
    {
        if (response.Headers.NonValidated.TryGetValues(name, out var values) || response.Content.Headers.NonValidated.TryGetValues(name, out values))
        {
            return values.ToString();
        }

        return null;
    }
}
