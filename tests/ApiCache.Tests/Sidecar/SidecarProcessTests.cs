using System.Net;
using System.Security.Cryptography;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Sidecar;

/// <summary>The real sidecar process in front of recorded apiserver answers.</summary>
public sealed class SidecarProcessTests : IClassFixture<SidecarFixture>
{
    /// <summary>Response headers that are framing or per-connection, set by each hop itself.</summary>
    private static readonly string[] HopHeaders = ["Transfer-Encoding", "Content-Length", "Connection", "Keep-Alive", "Date"];

    private readonly SidecarFixture _fixture;

    public SidecarProcessTests(SidecarFixture fixture) => _fixture = fixture;

    [Theory]
    [InlineData("/version", "01-discovery-version")]
    [InlineData("/api/v1/pods", "02-list-pods-all")]
    [InlineData("/api/v1/namespaces/team-a/pods/nope", "03-get-pod-missing-404")]
    public async Task Get_FixtureBackedPath_AnswersRecordedStatusHeadersAndBodyBytes(string target, string fixtureName)
    {
        // Arrange
        var expected = FixtureUpstream.Fixture(fixtureName);
        var userAgent = "sidecar-tests/" + Guid.NewGuid().ToString("N");
        using var client = _fixture.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(target, UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);

        // Act
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        // Assert
        Assert.Equal(expected.StatusCode, (int)response.StatusCode);
        Assert.Equal(expected.Body, body);
        Assert.Equal(expected.Header("Content-Type"), response.Content.Headers.ContentType?.ToString());
        Assert.Equal(expected.Header("Audit-Id"), Header(response, "Audit-Id"));
        foreach (var (name, value) in expected.Headers.Where(h => !HopHeaders.Contains(h.Key, StringComparer.OrdinalIgnoreCase)))
        {
            Assert.Equal((name, value), (name, Header(response, name)));
        }

        // Nothing added on the way (no Server: Kestrel, no Via): the same header names as recorded.
        var recorded = expected.Headers.Select(h => h.Key).Where(n => !HopHeaders.Contains(n, StringComparer.OrdinalIgnoreCase));
        var answered = response.Headers.Concat(response.Content.Headers).Select(h => h.Key).Where(n => !HopHeaders.Contains(n, StringComparer.OrdinalIgnoreCase));
        Assert.Equal(recorded.Order(StringComparer.OrdinalIgnoreCase), answered.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);

        var forwarded = Assert.Single(_fixture.Upstream.Requests, r => r.Header("User-Agent") == userAgent);
        Assert.Equal(("GET", target, "application/json"), (forwarded.Method, forwarded.Target, forwarded.Header("Accept")));
    }

    [Fact]
    public async Task Get_UnknownPath_PassesUpstreamGenericNotFoundThrough()
    {
        using var client = _fixture.CreateClient();

        using var response = await client.GetAsync(new Uri("/apis/example.com/v1/gadgets", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(FixtureUpstream.NotFoundBody, body);
        Assert.NotEmpty(_fixture.Upstream.RequestsFor("/apis/example.com/v1/gadgets"));
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/livez")]
    [InlineData("/readyz")]
    public async Task Get_HealthProbe_AnsweredBySidecarWithoutReachingUpstream(string probe)
    {
        using var client = _fixture.CreateClient();

        using var response = await client.GetAsync(new Uri(probe, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", body);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.DoesNotContain(_fixture.Upstream.Requests, r => r.Target.StartsWith(probe, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_AfterForwardedList_CountsItByCodeGroupResourceVerb()
    {
        // Arrange
        var series = "apicache_forwarded_requests_total{code=\"200\",endpoint=\"" + _fixture.Upstream.Address.GetLeftPart(UriPartial.Path).TrimEnd('/') + "\",group=\"\",resource=\"pods\",verb=\"list\"} ";
        using var client = _fixture.CreateClient();

        // Act
        using (var list = await client.GetAsync(new Uri("/api/v1/pods", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            await list.Content.ReadAsByteArrayAsync();
        }

        // The counter is added when the proxy's forwarding call returns, which may be just after the
        // client has read the whole body: scrape until it shows up.
        string? line = null;
        string metrics = "";
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (line is null && !deadline.IsCancellationRequested)
        {
            using var scrape = await client.GetAsync(new Uri("/metrics", UriKind.Relative), deadline.Token);
            Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
            Assert.Equal("text/plain; version=0.0.4; charset=utf-8", scrape.Content.Headers.ContentType?.ToString());
            metrics = await scrape.Content.ReadAsStringAsync(deadline.Token);
            line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series, StringComparison.Ordinal));
            if (line is null)
            {
                await Task.Delay(20, CancellationToken.None);
            }
        }

        // Assert
        Assert.True(line is not null, "no series line starting with " + series + " in:\n" + metrics);
        Assert.True(long.Parse(line[series.Length..], System.Globalization.CultureInfo.InvariantCulture) >= 1, line);
        Assert.Contains("# TYPE apicache_forwarded_requests_total counter\n", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain(_fixture.Upstream.Requests, r => r.Target.StartsWith("/metrics", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Https_HealthzOverHttp2_ServedWithConfiguredCertificate()
    {
        // Arrange
        using var temp = new TempDirectory();
        using var pki = new TestPki();
        using var serving = pki.IssueServer();
        var thumbprint = serving.GetCertHashString(HashAlgorithmName.SHA256);
        var (certificateFile, keyFile) = TestPki.WritePem(serving, temp, "tls");
        await using var sidecar = await SidecarProcess.StartAsync(
            [
                "--ApiCache:Upstream:Servers:0:Url=" + _fixture.Upstream.Address,
                "--Sidecar:Listen=http://127.0.0.1:0",
                SidecarFixture.CacheOff,
                SidecarProcess.TrustedMode,
                "--Sidecar:Https:Listen=https://127.0.0.1:0",
                "--Sidecar:Https:CertificateFile=" + certificateFile,
                "--Sidecar:Https:KeyFile=" + keyFile,
            ],
            expectedAddresses: 2);
        string? presented = null;
        using var handler = new HttpClientHandler
        {
            UseProxy = false,
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                presented = certificate?.GetCertHashString(HashAlgorithmName.SHA256);
                return presented == thumbprint;
            },
        };
        using var client = new HttpClient(handler)
        {
            BaseAddress = sidecar.HttpsAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };

        // Act
        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        Assert.NotNull(sidecar.HttpsAddress);
        Assert.Equal(Uri.UriSchemeHttp, sidecar.Address.Scheme);
        Assert.Equal(thumbprint, presented);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", body);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(", ", contentValues)
        : null;
}
