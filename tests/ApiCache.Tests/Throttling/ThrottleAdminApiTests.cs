using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ApiCache.Configuration;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Throttling;

/// <summary>The admin endpoints in-process: identities, every verb, and every error a caller can meet.</summary>
public sealed class ThrottleAdminApiTests : IAsyncLifetime, IDisposable
{
    private const string Token = "admin-token-0123456789";
    private const string BlockBadAgent = """{"userAgent":{"product":"bad-agent"},"verbs":["list"],"resources":["pods"],"limiter":{"type":"Reject"}}""";

    private readonly TempDirectory _directory = new();
    private ThrottlingUpstream _upstream = null!;
    private LoopbackServer _proxy = null!;
    private ThrottlingClient _client = null!;

    public async Task InitializeAsync()
    {
        _upstream = await ThrottlingUpstream.StartAsync();
        var tokenFile = _directory.Write("token", Token + "\n");
        _proxy = await StartProxyAsync(o =>
        {
            o.Throttling.Admin.Enabled = true;
            o.Throttling.Admin.BearerTokenFile = tokenFile;
            o.Throttling.Rules.Add(TestRules.Reject("from-file", "file-blocked"));
        });
        _client = new ThrottlingClient(_proxy.Address);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    public void Dispose()
    {
        _client?.Dispose();
        _directory.Dispose();
    }

    [Theory]
    [InlineData("GET", "/apicache/v1/throttles", null)]
    [InlineData("PUT", "/apicache/v1/throttles/x", null)]
    [InlineData("DELETE", "/apicache/v1/throttles", "wrong-token")]
    [InlineData("GET", "/apicache/v1/top", "wrong-token")]
    public async Task Request_WithoutValidToken_Gets401LikeTheApiserver(string method, string path, string? token)
    {
        // Act
        using var response = await _client.SendAsync(method, path, "curl/8.5", token, body: method == "PUT" ? BlockBadAgent : null);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}\n",
            await response.Content.ReadAsStringAsync());
        Assert.Equal(1, await GenerationAsync());
    }

    [Fact]
    public async Task Get_Rules_ShowsFileRulesGenerationAndSource()
    {
        // Act
        using var response = await _client.SendAsync("GET", "/apicache/v1/throttles", "curl/8.5", Token);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        var root = document.RootElement;
        Assert.Equal(1, root.GetProperty("generation").GetInt64());
        Assert.Equal("file", root.GetProperty("source").GetString());
        var rule = Assert.Single(root.GetProperty("rules").EnumerateArray());
        Assert.Equal("from-file", rule.GetProperty("name").GetString());
        Assert.Equal("Reject", rule.GetProperty("limiter").GetProperty("type").GetString());
    }

    [Fact]
    public async Task PutThenDelete_OneRule_TakesEffectOnTheNextRequestAndRemovingRestoresService()
    {
        // Arrange
        var before = await _client.StatusAsync("/api/v1/pods", "bad-agent/1.0");

        // Act
        using var put = await _client.SendAsync("PUT", "/apicache/v1/throttles/bad-agent", "curl/8.5", Token, BlockBadAgent);
        var whileThrottled = await _client.StatusAsync("/api/v1/pods", "bad-agent/1.0");
        var getStillAllowed = await _client.StatusAsync("/api/v1/namespaces/a/pods/p", "bad-agent/1.0");
        using var getRule = await _client.SendAsync("GET", "/apicache/v1/throttles/bad-agent", "curl/8.5", Token);
        using var delete = await _client.SendAsync("DELETE", "/apicache/v1/throttles/bad-agent", "curl/8.5", Token);
        var after = await _client.StatusAsync("/api/v1/pods", "bad-agent/1.0");

        // Assert
        Assert.Equal(200, before);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using (var document = JsonDocument.Parse(await put.Content.ReadAsStringAsync()))
        {
            Assert.Equal(["from-file", "bad-agent"], document.RootElement.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
            Assert.Equal("admin", document.RootElement.GetProperty("source").GetString());
            Assert.Equal(2, document.RootElement.GetProperty("generation").GetInt64());
        }

        Assert.Equal(429, whileThrottled);
        Assert.Equal(200, getStillAllowed);
        Assert.Equal(HttpStatusCode.OK, getRule.StatusCode);
        Assert.Equal("bad-agent", JsonDocument.Parse(await getRule.Content.ReadAsStringAsync()).RootElement.GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Equal(200, after);
        Assert.Equal(3, await GenerationAsync());
    }

    [Fact]
    public async Task PutAndDelete_WholeList_ReplaceEveryRule()
    {
        // Act
        using var put = await _client.SendAsync(
            "PUT",
            "/apicache/v1/throttles",
            "curl/8.5",
            Token,
            """{"rules":[{"name":"a","userAgent":{"product":"a"},"limiter":{"type":"Reject"}},{"name":"b","userAgent":{"regex":"^b"},"limiter":{"type":"TokenBucket","rate":5}}],"generation":1}""");
        var fileRuleGone = await _client.StatusAsync("/api/v1/pods", "file-blocked/1.0");
        var newRule = await _client.StatusAsync("/api/v1/pods", "a/1.0");
        using var delete = await _client.SendAsync("DELETE", "/apicache/v1/throttles", "curl/8.5", Token);
        var afterDelete = await _client.StatusAsync("/api/v1/pods", "a/1.0");

        // Assert
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(200, fileRuleGone);
        Assert.Equal(429, newRule);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Empty(JsonDocument.Parse(await delete.Content.ReadAsStringAsync()).RootElement.GetProperty("rules").EnumerateArray());
        Assert.Equal(200, afterDelete);
    }

    [Theory]
    [InlineData("/apicache/v1/throttles/bad", """{"userAgent":{"product":"x"},"limiter":{"type":"TokenBucket","rate":0}}""", "the throttling rules were not changed: limiter.rate must be greater than 0 and at most 1000000 (got 0).")]
    [InlineData("/apicache/v1/throttles/BAD", """{"userAgent":{"product":"x"},"limiter":{"type":"Reject"}}""", "the throttling rules were not changed: name \"BAD\" is not a valid rule name")]
    [InlineData("/apicache/v1/throttles/bad", """{"userAgent":{"product":"x"},"limiter":{"type":"Reject","rat":1}}""", "the request body is not a valid throttle rule: The JSON property 'rat' could not be mapped")]
    [InlineData("/apicache/v1/throttles/bad", "{not json", "the request body is not a valid throttle rule: ")]
    [InlineData("/apicache/v1/throttles/bad", "null", "the request body must be a JSON object (one rule).")]
    [InlineData("/apicache/v1/throttles/bad?index=x", """{"userAgent":{"product":"x"},"limiter":{"type":"Reject"}}""", "index \"x\" is not a non-negative integer.")]
    [InlineData("/apicache/v1/throttles", """{"rules":[{"name":"a","userAgent":{"product":"a"},"limiter":{"type":"Reject"}},{"name":"a","userAgent":{"product":"b"},"limiter":{"type":"Reject"}}]}""", "the throttling rules were not changed: rules[1].name \"a\" is already the name of rules[0]: rule names must be unique.")]
    [InlineData("/apicache/v1/throttles", """{"generation":1}""", "rules is required: the complete rule list (use DELETE to remove every rule).")]
    public async Task Put_BadRule_Gets400WithTheMessageAndPreviousRulesStay(string path, string body, string expectedMessage)
    {
        // Act
        using var response = await _client.SendAsync("PUT", path, "curl/8.5", Token, body);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var stillBlocked = await _client.StatusAsync("/api/v1/pods", "file-blocked/1.0");

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BadRequest", document.RootElement.GetProperty("reason").GetString());
        Assert.Equal(400, document.RootElement.GetProperty("code").GetInt32());
        Assert.StartsWith(expectedMessage, document.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await GenerationAsync());
        Assert.Equal(429, stillBlocked);
    }

    [Fact]
    public async Task Put_InvalidRule_ListsEachErrorAsACause()
    {
        // Act
        using var response = await _client.SendAsync("PUT", "/apicache/v1/throttles/bad", "curl/8.5", Token, """{"userAgent":{},"verbs":["lsit"],"limiter":{"type":"Reject"}}""");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        // Assert
        var causes = document.RootElement.GetProperty("details").GetProperty("causes").EnumerateArray().Select(c => c.GetProperty("message").GetString()).ToList();
        Assert.Equal(2, causes.Count);
        Assert.StartsWith("userAgent must set exactly one of Product, ProductPrefix and Regex (got none).", causes[0], StringComparison.Ordinal);
        Assert.StartsWith("verbs[0] \"lsit\" is not a verb", causes[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_UnknownRule_Gets404()
    {
        // Act
        using var response = await _client.SendAsync("DELETE", "/apicache/v1/throttles/nope", "curl/8.5", Token);

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"throttle rule \\\"nope\\\" not found\",\"reason\":\"NotFound\",\"details\":{\"name\":\"nope\",\"kind\":\"throttles\"},\"code\":404}\n",
            await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("POST", "/apicache/v1/throttles", "GET, PUT, DELETE")]
    [InlineData("PATCH", "/apicache/v1/throttles/x", "GET, PUT, DELETE")]
    [InlineData("DELETE", "/apicache/v1/top", "GET")]
    public async Task OtherMethod_Gets405WithAllow(string method, string path, string allow)
    {
        // Act
        using var response = await _client.SendAsync(method, path, "curl/8.5", Token, body: "{}");

        // Assert
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
        Assert.Equal(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"the server does not allow this method on the requested resource\",\"reason\":\"MethodNotAllowed\",\"details\":{},\"code\":405}\n",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Put_StaleGeneration_Gets409AndChangesNothing()
    {
        // Act
        using var response = await _client.SendAsync("PUT", "/apicache/v1/throttles/bad-agent?generation=5", "curl/8.5", Token, BlockBadAgent);

        // Assert
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("\"reason\":\"Conflict\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await GenerationAsync());
    }

    [Fact]
    public async Task Put_BodyTooLarge_Gets413()
    {
        // Arrange
        var body = "{\"name\":\"" + new string('a', 2 << 20) + "\"}";

        // Act
        using var response = await _client.SendAsync("PUT", "/apicache/v1/throttles/big", "curl/8.5", Token, body);

        // Assert
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("\"reason\":\"RequestEntityTooLarge\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Top_WithAdminOn_NeedsTheAdminIdentity()
    {
        // Act
        using var anonymous = await _client.SendAsync("GET", "/apicache/v1/top", "curl/8.5");
        using var admin = await _client.SendAsync("GET", "/apicache/v1/top?limit=5", "curl/8.5", Token);
        using var badLimit = await _client.SendAsync("GET", "/apicache/v1/top?limit=0", "curl/8.5", Token);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }

    [Fact]
    public async Task AdminOff_RuleEndpoints_Answer404AndTopIsOpen()
    {
        // Arrange
        await using var proxy = await StartProxyAsync(_ => { });
        using var client = new ThrottlingClient(proxy.Address);

        // Act
        using var throttles = await client.SendAsync("GET", "/apicache/v1/throttles", "curl/8.5", Token);
        using var top = await client.SendAsync("GET", "/apicache/v1/top", "curl/8.5");

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, throttles.StatusCode);
        Assert.Contains("the throttling admin endpoint is off: set ApiCache:Throttling:Admin:Enabled to true", await throttles.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, top.StatusCode);
        Assert.DoesNotContain(_upstream.UserAgents, ua => ua == "curl/8.5");
    }

    [Fact]
    public async Task ClientCertificate_OverHttps_ConfiguredCommonNameAllowedOtherForbidden()
    {
        // Arrange: the host requires client certificates from its CA; only CN=ops-admin may administer.
        using var pki = new TestPki();
        using var serving = pki.IssueServer();
        await using var proxy = await LoopbackServer.StartAsync(
            app => app.MapApiCache(),
            services => services.AddApiCache(options =>
            {
                ProxyHost.ForwardingOnly(options);
                options.Upstream.Servers.Add(new UpstreamServerOptions { Url = _upstream.Address.ToString() });
                options.Security.Mode = SecurityMode.Trusted; // the configured identities decide (no authenticated callers)
                options.Throttling.Admin.Enabled = true;
                options.Throttling.Admin.ClientCertificateCommonNames = ["ops-admin"];
            }),
            configureKestrel: kestrel => kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ServerCertificate = serving;
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (certificate, _, _) => certificate.Issuer == pki.Ca.Subject;
            }),
            https: true);

        // Act
        var allowed = await GetWithCertificateAsync(proxy.Address, pki, pki.IssueClient("ops-admin"));
        var forbidden = await GetWithCertificateAsync(proxy.Address, pki, pki.IssueClient("developer"));

        // Assert
        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        Assert.Equal(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"forbidden: client certificate CN=developer is not in ApiCache:Throttling:Admin:ClientCertificateCommonNames, so it may not use /apicache/v1/throttles\",\"reason\":\"Forbidden\",\"code\":403}\n",
            forbidden.Body);
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetWithCertificateAsync(Uri address, TestPki pki, X509Certificate2 certificate)
    {
        using (certificate)
        {
            using var client = new HttpClient(new SocketsHttpHandler
            {
                UseProxy = false,
                SslOptions = new SslClientAuthenticationOptions
                {
                    ClientCertificates = [certificate],
                    RemoteCertificateValidationCallback = (_, server, _, _) => server is not null && server.Issuer == pki.Ca.Subject,
                },
            })
            { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
            using var response = await client.GetAsync(new Uri("/apicache/v1/throttles", UriKind.Relative));
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    private async Task<long> GenerationAsync()
    {
        using var response = await _client.SendAsync("GET", "/apicache/v1/throttles", "curl/8.5", Token);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("generation").GetInt64();
    }

    private Task<LoopbackServer> StartProxyAsync(Action<ApiCacheOptions> configure) =>
        LoopbackServer.StartAsync(
            app => app.MapApiCache(),
            services => services.AddApiCache(options =>
            {
                ProxyHost.ForwardingOnly(options);
                options.Upstream.Servers.Add(new UpstreamServerOptions { Url = _upstream.Address.ToString() });
                options.Security.Mode = SecurityMode.Trusted; // the configured identities decide (no authenticated callers)
                configure(options);
            }));
}
