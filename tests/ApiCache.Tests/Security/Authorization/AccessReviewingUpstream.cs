using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using ApiCache.DevServer.Hosting;
using ApiCache.Security;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Tests.Security.Authorization;

/// <summary>
/// The in-process dev API server (no security of its own) with the SubjectAccessReview endpoint
/// answered by a rule the test controls, counting and recording the reviews: the proxy's upstream
/// in the authorization tests. It can also fail every review (500) and hold the informer's initial
/// pods list (a deterministic cold cache). Data: namespaces team-a and team-b, pods team-a/web-1
/// and team-a/web-2 (on node-1 and node-2) and team-b/web-1 (node-1).
/// </summary>
internal sealed class AccessReviewingUpstream : IAsyncDisposable
{
    /// <summary>The User-Agent of the tests' own clients.</summary>
    public const string TestUserAgent = "authz-tests/1.0";

    private readonly ConcurrentQueue<JsonObject> _reviews = new();
    private readonly ConcurrentQueue<string> _reads = new();
    private readonly TaskCompletionSource _listGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LoopbackServer? _server;
    private volatile bool _holdInitialList;

    private AccessReviewingUpstream()
    {
    }

    /// <summary>The base address.</summary>
    public Uri Address => _server!.Address;

    /// <summary>Decides a review from its spec; <see cref="Policy"/> unless the test sets another.</summary>
    public Func<JsonObject, (bool Allowed, string Reason)> Rule { get; set; } = Policy;

    /// <summary>Answer reviews with 500 (the proxy's review is then unavailable).</summary>
    public bool FailReviews { get; set; }

    /// <summary>The specs of the reviews received, in order.</summary>
    public IReadOnlyList<JsonObject> Reviews => [.. _reviews];

    /// <summary>
    /// The requests the test's own clients caused (<c>METHOD target</c>, User-Agent starting with
    /// <see cref="TestUserAgent"/>): what the proxy forwarded, not its informer's requests.
    /// </summary>
    public IReadOnlyList<string> ClientRequests => [.. _reads];

    /// <summary>Starts it with its data; <paramref name="holdInitialList"/> holds the pods informer's first list until <see cref="ReleaseInitialList"/>.</summary>
    public static async Task<AccessReviewingUpstream> StartAsync(bool holdInitialList = false)
    {
        var upstream = new AccessReviewingUpstream { _holdInitialList = holdInitialList };
        upstream._server = await LoopbackServer.StartAsync(
            app =>
            {
                app.Use(upstream.InterceptAsync);
                app.MapDevServer();
            },
            services => services.AddDevServer(options => options.BookmarkInterval = TimeSpan.FromSeconds(1)));
        using var client = new HttpClient { BaseAddress = upstream.Address };
        foreach (var ns in new[] { "team-a", "team-b" })
        {
            await CreateAsync(client, "/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}""");
        }

        await CreateAsync(client, "/api/v1/namespaces/team-a/pods", Pod("web-1", "node-1"));
        await CreateAsync(client, "/api/v1/namespaces/team-a/pods", Pod("web-2", "node-2"));
        await CreateAsync(client, "/api/v1/namespaces/team-b/pods", Pod("web-1", "node-1"));
        return upstream;
    }

    /// <summary>
    /// The fixtures' cluster policy: system:masters may do anything; alice (RBAC Role pod-reader in
    /// team-a) may get, list and watch pods there; node-1 (Node authorizer) may list/watch pods only
    /// with a spec.nodeName In [node-1] requirement; everyone else nothing.
    /// </summary>
    public static (bool Allowed, string Reason) Policy(JsonObject spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var user = (string?)spec["user"];
        var groups = spec["groups"]?.AsArray().Select(g => (string?)g).ToList() ?? [];
        if (groups.Contains("system:masters"))
        {
            return (true, "");
        }

        if (spec["resourceAttributes"] is not JsonObject resource)
        {
            return (false, "");
        }

        var verb = (string?)resource["verb"];
        var isPods = (string?)resource["resource"] == "pods" && (string?)resource["group"] == "" && resource["subresource"] is null;
        if (user == "alice" && isPods && verb is ("get" or "list" or "watch") && (string?)resource["namespace"] == "team-a")
        {
            return (true, "RBAC: allowed by RoleBinding \"alice-pod-reader/team-a\" of Role \"pod-reader\" to User \"alice\"");
        }

        if (user == "system:node:node-1" && isPods && verb is ("list" or "watch"))
        {
            var requirements = resource["fieldSelector"]?["requirements"]?.AsArray() ?? [];
            var own = requirements.Any(r => (string?)r!["key"] == "spec.nodeName" && (string?)r["operator"] == "In"
                && r["values"]!.AsArray().Select(v => (string?)v).SequenceEqual(["node-1"]));
            return own ? (true, "") : (false, "can only list/watch pods with spec.nodeName field selector");
        }

        return (false, "");
    }

    /// <summary>Lets the held initial list through.</summary>
    public void ReleaseInitialList() => _listGate.TrySetResult();

    public ValueTask DisposeAsync()
    {
        ReleaseInitialList();
        return _server is null ? ValueTask.CompletedTask : _server.DisposeAsync();
    }

    private static string Pod(string name, string node) =>
        $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","labels":{"app":"web"}},"spec":{"nodeName":"{{{node}}}","containers":[{"name":"c","image":"nginx:1.27.3"}]}}""";

    private static async Task CreateAsync(HttpClient client, string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
        Assert.True((int)response.StatusCode == 201, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task InterceptAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (HttpMethods.IsPost(request.Method) && request.Path == SubjectAccessReviewClient.Path)
        {
            var review = (await JsonNode.ParseAsync(request.Body, cancellationToken: context.RequestAborted))!.AsObject();
            var spec = review["spec"]!.AsObject();
            _reviews.Enqueue(spec);
            if (FailReviews)
            {
                context.Response.StatusCode = 500;
                return;
            }

            var (allowed, reason) = Rule(spec);
            var status = new JsonObject { ["allowed"] = allowed };
            if (reason.Length > 0)
            {
                status["reason"] = reason;
            }

            context.Response.StatusCode = 201;
            await context.Response.WriteAsJsonAsync(
                new JsonObject { ["kind"] = "SubjectAccessReview", ["apiVersion"] = "authorization.k8s.io/v1", ["metadata"] = new JsonObject(), ["spec"] = spec.DeepClone(), ["status"] = status },
                context.RequestAborted);
            return;
        }

        if (request.Headers.UserAgent.ToString().StartsWith(TestUserAgent, StringComparison.Ordinal))
        {
            _reads.Enqueue($"{request.Method} {request.Path}{request.QueryString}");
        }

        if (_holdInitialList && request.Path == "/api/v1/pods" && !request.Query.ContainsKey("watch")
            && request.Headers.UserAgent.ToString().EndsWith("(informer)", StringComparison.Ordinal))
        {
            await _listGate.Task.WaitAsync(context.RequestAborted);
        }

        await next(context);
    }
}
