using System.Collections.Concurrent;
using ApiCache.DevServer.Discovery;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Tests.DevServer.Discovery;

/// <summary>Real kubectl 1.27 and 1.33 binaries against a server that maps only the discovery endpoints (plus an echoing create for the OpenAPI test).</summary>
public sealed class DiscoveryKubectlTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<SeenRequest> _requests = new();
    private LoopbackServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                await next(context);
                _requests.Enqueue(new SeenRequest(
                    context.Request.Method,
                    context.Request.Path + context.Request.QueryString,
                    context.Request.Headers.Accept.ToString(),
                    context.Response.StatusCode,
                    context.Response.ContentType));
            });
            app.MapDiscovery(DiscoveryTestCatalog.Catalog());

            // Stand-ins for the REST handlers: a create answers the object it was sent.
            app.MapPost("/api/v1/namespaces/{namespace}/pods", EchoCreatedAsync);
            app.MapPost("/apis/example.com/v1/namespaces/{namespace}/widgets", EchoCreatedAsync);
        });
    }

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    [Theory]
    [InlineData("1.27", "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList")]
    [InlineData("1.33", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")]
    public async Task ApiResources_Kubectl_ListsResourcesWithShortNamesFromAggregatedDiscovery(string version, string aggregatedContentType)
    {
        // Arrange
        using var home = new TempDirectory();
        var kubectl = new KubectlRunner(version, KubectlRunner.WriteKubeconfig(home.Path, _server.Address), home.Path);

        // Act
        var result = await kubectl.RunAsync("api-resources");

        // Assert
        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = ParseTable(result.Stdout);
        Assert.Equal(["po", "v1", "true", "Pod"], rows["pods"]);
        Assert.Equal(["no", "v1", "false", "Node"], rows["nodes"]);
        Assert.Equal(["ns", "v1", "false", "Namespace"], rows["namespaces"]);
        Assert.Equal(["deploy", "apps/v1", "true", "Deployment"], rows["deployments"]);
        Assert.Equal(["", "coordination.k8s.io/v1", "true", "Lease"], rows["leases"]);
        Assert.Equal(["wd", "example.com/v1", "true", "Widget"], rows["widgets"]);
        Assert.Equal(12, rows.Count);

        // One aggregated document each for /api and /apis was enough: no per-group-version requests.
        var requests = _requests.ToArray();
        Assert.All(requests, r => Assert.Equal(aggregatedContentType, r.ContentType));
        Assert.Equal(["/api?timeout=32s", "/apis?timeout=32s"], requests.Select(r => r.Target).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("1.27")]
    [InlineData("1.33")]
    public async Task Create_PodAndWidget_KubectlLeavesFieldValidationToTheServer(string version)
    {
        // Arrange
        using var home = new TempDirectory();
        var kubectl = new KubectlRunner(version, KubectlRunner.WriteKubeconfig(home.Path, _server.Address, @namespace: "team-a"), home.Path);
        const string Manifests = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
            spec:
              containers:
              - name: c
                image: nginx
            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata:
              name: w
            spec:
              size: 3
            """;

        // Act
        var result = await kubectl.RunAsync(Manifests, ["create", "-f", "-"]);

        // Assert: kubectl found fieldValidation in the OpenAPI v3 documents (1.27 also loaded the
        // v2 one) and sent Strict server-side validation instead of validating on its own.
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("pod/p created", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("widget.example.com/w created", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(result.Stderr);
        var requests = _requests.ToArray();
        Assert.Contains(requests, r => r.Method == "POST" && r.Target == "/api/v1/namespaces/team-a/pods?fieldManager=kubectl-create&fieldValidation=Strict");
        Assert.Contains(requests, r => r.Method == "POST" && r.Target == "/apis/example.com/v1/namespaces/team-a/widgets?fieldManager=kubectl-create&fieldValidation=Strict");
        Assert.Contains(requests, r => r.Target.StartsWith("/openapi/v3/api/v1?hash=", StringComparison.Ordinal) && r.Status == StatusCodes.Status200OK);
        Assert.All(requests, r => Assert.True(r.Status < 400, $"{r.Method} {r.Target} answered {r.Status}"));
    }

    private static async Task EchoCreatedAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(body.ToArray(), context.RequestAborted);
    }

    /// <summary>kubectl's column table: name → the other cells, cut at the header's column offsets (empty cells stay empty).</summary>
    private static Dictionary<string, string[]> ParseTable(string stdout)
    {
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0];
        int[] starts = [.. new[] { "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND" }.Select(c => header.IndexOf(c, StringComparison.Ordinal))];
        Assert.DoesNotContain(-1, starts);
        return lines.Skip(1).ToDictionary(
            line => line[..starts[0]].Trim(),
            line => starts.Select((start, i) => line[start..(i + 1 < starts.Length ? starts[i + 1] : line.Length)].Trim()).ToArray());
    }

    private sealed record SeenRequest(string Method, string Target, string Accept, int Status, string? ContentType);
}
