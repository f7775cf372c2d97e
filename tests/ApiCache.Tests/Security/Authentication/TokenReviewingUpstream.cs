using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApiCache.Configuration;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace ApiCache.Tests.Security.Authentication;

/// <summary>
/// A scripted upstream apiserver for the proxy's security: it answers TokenReviews from
/// <see cref="Tokens"/> (fixture 09-tokenreview-* shapes), optionally after <see cref="ReviewGate"/>
/// opens or with another status (<see cref="ReviewStatus"/>), and answers everything else 200 with
/// an empty PodList, recording each request's headers (every value of every line), protocol and the
/// CN of the client certificate it presented. With a <see cref="TestPki"/> it serves HTTPS and asks
/// for (does not require) client certificates.
/// </summary>
internal sealed class TokenReviewingUpstream : IAsyncDisposable
{
    /// <summary>The token the proxy presents to this upstream as its own identity.</summary>
    public const string ProxyToken = "apicache-token";

    /// <summary>alice's token in <see cref="StartWithAliceAsync"/>.</summary>
    public const string AliceToken = "alice-token";

    /// <summary>The audience the upstream reports when the review names none.</summary>
    public const string DefaultAudience = "https://kubernetes.default.svc.cluster.local";

    public const string PodList = """{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[]}""";

    private readonly ConcurrentQueue<SeenRequest> _forwarded = new();
    private readonly ConcurrentQueue<SeenRequest> _reviews = new();
    private readonly TempDirectory _directory = new();
    private LoopbackServer _server = null!;

    private TokenReviewingUpstream()
    {
    }

    /// <summary>Known tokens and who they are.</summary>
    public ConcurrentDictionary<string, ReviewedUser> Tokens { get; } = new(StringComparer.Ordinal);

    /// <summary>The status TokenReviews are answered with (201 unless a test simulates a failing upstream).</summary>
    public int ReviewStatus { get; set; } = 201;

    /// <summary>The audiences accepted tokens are granted; null: those the review asked for (or the default one).</summary>
    public string[]? GrantedAudiences { get; set; }

    /// <summary>When set, TokenReviews wait until it completes.</summary>
    public TaskCompletionSource? ReviewGate { get; set; }

    public Uri Address => _server.Address;

    /// <summary>The CA file the proxy trusts this upstream with (HTTPS only).</summary>
    public string? CaFile { get; private set; }

    /// <summary>Requests other than TokenReviews, in arrival order.</summary>
    public IReadOnlyList<SeenRequest> Forwarded => [.. _forwarded];

    /// <summary>TokenReview requests (their bodies in <see cref="SeenRequest.Body"/>).</summary>
    public IReadOnlyList<SeenRequest> Reviews => [.. _reviews];

    /// <summary>The upstream with <see cref="AliceToken"/> known as alice (uid alice-uid, group developers).</summary>
    public static async Task<TokenReviewingUpstream> StartWithAliceAsync(TestPki? tls = null)
    {
        var upstream = await StartAsync(tls);
        upstream.Tokens[AliceToken] = new ReviewedUser("alice", "alice-uid", ["developers", "system:authenticated"]);
        return upstream;
    }

    /// <summary>Starts the upstream (HTTPS with a certificate of <paramref name="tls"/>, else HTTP) knowing no token.</summary>
    public static async Task<TokenReviewingUpstream> StartAsync(TestPki? tls = null)
    {
        var upstream = new TokenReviewingUpstream();
        X509Certificate2? serving = null;
        if (tls is not null)
        {
            serving = tls.IssueServer();
            upstream.CaFile = upstream._directory.Write("upstream-ca.crt", tls.CaPem);
        }

        upstream._server = await LoopbackServer.StartAsync(
            app => app.Run(upstream.HandleAsync),
            configureKestrel: serving is null ? null : kestrel => kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ServerCertificate = serving;
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.AllowAnyClientCertificate();
            }),
            https: serving is not null);
        return upstream;
    }

    /// <summary>The upstream as the proxy's only server, with the proxy's own token (and TLS trust).</summary>
    public UpstreamServerOptions ServerOptions() => new()
    {
        Url = Address.ToString(),
        BearerToken = ProxyToken,
        CertificateAuthorityFile = CaFile,
    };

    public async ValueTask DisposeAsync()
    {
        ReviewGate?.TrySetResult();
        await _server.DisposeAsync();
        _directory.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var body = await new StreamReader(request.Body).ReadToEndAsync(context.RequestAborted);
        var seen = new SeenRequest(
            request.Method,
            request.Path + request.QueryString,
            [.. request.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? "")))],
            context.Connection.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false),
            request.Protocol,
            body);
        if (request.Method == "POST" && request.Path == "/apis/authentication.k8s.io/v1/tokenreviews")
        {
            _reviews.Enqueue(seen);
            if (ReviewGate is { } gate)
            {
                await gate.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }

            context.Response.StatusCode = ReviewStatus;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(ReviewAnswer(body));
            return;
        }

        _forwarded.Enqueue(seen);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(PodList + "\n");
    }

    private string ReviewAnswer(string body)
    {
        var spec = JsonNode.Parse(body)!["spec"]!;
        var token = spec["token"]!.GetValue<string>();
        var audiences = GrantedAudiences ?? spec["audiences"]?.AsArray().Select(a => a!.GetValue<string>()).ToArray() ?? [DefaultAudience];
        JsonObject status;
        if (Tokens.TryGetValue(token, out var user))
        {
            var userJson = new JsonObject
            {
                ["username"] = user.Name,
                ["uid"] = user.Uid,
                ["groups"] = new JsonArray([.. user.Groups.Select(g => (JsonNode?)g)]),
            };
            if (user.Extra is { Count: > 0 } extra)
            {
                userJson["extra"] = new JsonObject(extra.Select(e => new KeyValuePair<string, JsonNode?>(e.Key, new JsonArray([.. e.Value.Select(v => (JsonNode?)v)]))));
            }

            status = new JsonObject { ["authenticated"] = true, ["user"] = userJson, ["audiences"] = new JsonArray([.. audiences.Select(a => (JsonNode?)a)]) };
        }
        else
        {
            status = new JsonObject { ["user"] = new JsonObject(), ["error"] = "invalid bearer token" };
        }

        var review = new JsonObject
        {
            ["kind"] = "TokenReview",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject(),
            ["spec"] = new JsonObject { ["token"] = "<token>" },
            ["status"] = status,
        };
        return review.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }
}
