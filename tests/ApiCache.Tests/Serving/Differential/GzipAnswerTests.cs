using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Serving.Differential;

/// <summary>
/// Compressed LIST answers, from the cache and from the upstream, against the recorded apiserver's:
/// the differential run shows that both sides agree; these tests pin what they agree on to the
/// fixtures. Over 128 KiB with <c>Accept-Encoding: gzip</c>: compressed, with <c>Vary</c>, and sized
/// by the 2 KiB rule applied to the compressed bytes (a very compressible list gets a
/// Content-Length, as fixture 02-list-configmaps-team-b-over-128KiB-gzip: 873 bytes); below 128 KiB
/// not compressed at all (02-list-pods-all-accept-encoding-gzip-not-compressed-below-128KiB).
/// </summary>
public sealed class GzipAnswerTests : IAsyncLifetime
{
    private const string NoiseNamespace = "noise";

    private DifferentialCluster? _cluster;
    private HttpClient? _proxy;
    private HttpClient? _direct;

    private DifferentialCluster Cluster => _cluster!;

    public async Task InitializeAsync()
    {
        _cluster = await DifferentialCluster.StartAsync(store: null);
        _proxy = NewClient(Cluster.Proxy.Address);
        _direct = NewClient(Cluster.Upstream.Address);

        // Random data does not compress: 160 KiB of it stays far above 2 KiB gzipped.
        await Cluster.Upstream.CreateNamespaceAsync(NoiseNamespace);
        var random = new Random(7);
        for (var i = 0; i < 10; i++)
        {
            var bytes = new byte[12 * 1024];
            random.NextBytes(bytes);
            var data = new JsonObject { ["noise"] = Convert.ToBase64String(bytes) };
            await Cluster.Upstream.CreateConfigMapAsync(NoiseNamespace, $"noise-{i}", data: data.ToJsonString());
        }

        await Cluster.SyncAsync();
    }

    [Fact]
    public async Task List_CompressibleOver128KiBWithGzip_CompressedAndSizedAsTheRecordedApiserver()
    {
        var recorded = FixtureUpstream.Fixture("02-list-configmaps-team-b-over-128KiB-gzip");

        foreach (var (side, client) in Sides())
        {
            var (response, wire, body) = await GetAsync(client, $"/api/v1/namespaces/{DifferentialMatrix.BulkNamespace}/configmaps");

            Assert.True(body.Length > 128 * 1024, $"{side}: the list is only {body.Length} bytes");
            Assert.True(wire.Length < 2048, $"{side}: {wire.Length} compressed bytes");
            Assert.Equal(ComparedHeaders(recorded.Headers), ComparedHeaders(AllHeaders(response)));
            Assert.Equal(wire.Length, response.Content.Headers.ContentLength);
        }

        Assert.True(Cluster.Paths.FromCache("configmaps", "list") > 0, "the proxy did not answer from its cache");
    }

    [Fact]
    public async Task List_IncompressibleOver128KiBWithGzip_CompressedAndChunked()
    {
        foreach (var (side, client) in Sides())
        {
            var (response, wire, body) = await GetAsync(client, $"/api/v1/namespaces/{NoiseNamespace}/configmaps");

            Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
            Assert.Equal(["Accept-Encoding"], response.Headers.Vary);
            Assert.True(response.Headers.TransferEncodingChunked, $"{side}: not chunked");
            Assert.DoesNotContain(response.Content.Headers.NonValidated, h => h.Key == "Content-Length");
            Assert.True(wire.Length > 2048 && body.Length > wire.Length, $"{side}: {wire.Length} compressed bytes of {body.Length}");
        }
    }

    [Fact]
    public async Task List_Below128KiBWithGzip_NotCompressedAsTheRecordedApiserver()
    {
        var recorded = FixtureUpstream.Fixture("02-list-pods-all-accept-encoding-gzip-not-compressed-below-128KiB");

        foreach (var (_, client) in Sides())
        {
            var (response, wire, body) = await GetAsync(client, "/api/v1/pods");

            Assert.Equal(ComparedHeaders(recorded.Headers), ComparedHeaders(AllHeaders(response)));
            Assert.Equal(wire, body);
        }
    }

    public async Task DisposeAsync()
    {
        _proxy?.Dispose();
        _direct?.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    private IEnumerable<(string Side, HttpClient Client)> Sides() => [("proxy", _proxy!), ("upstream", _direct!)];

    /// <summary>The headers both a recorded and a live answer must have, by name: not the random or per-cluster ones (Audit-Id, Date, APF uids), and framing as its kind.</summary>
    private static List<string> ComparedHeaders(IEnumerable<KeyValuePair<string, string>> headers) =>
        [.. headers
            .Where(h => !h.Key.Equals("Audit-Id", StringComparison.OrdinalIgnoreCase) && !h.Key.Equals("Date", StringComparison.OrdinalIgnoreCase)
                && !h.Key.StartsWith("X-Kubernetes-Pf-", StringComparison.OrdinalIgnoreCase))
            .Select(h => h.Key.ToLowerInvariant() + ": " + (h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) ? "(length)" : h.Value))
            .Order(StringComparer.Ordinal)];

    private static IEnumerable<KeyValuePair<string, string>> AllHeaders(HttpResponseMessage response) =>
        response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated)
            .Where(h => !h.Key.Equals("Audit-Id", StringComparison.OrdinalIgnoreCase))
            .Select(h => KeyValuePair.Create(h.Key, string.Join(", ", h.Value)));

    private static async Task<(HttpResponseMessage Response, byte[] Wire, byte[] Body)> GetAsync(HttpClient client, string target)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        request.Headers.UserAgent.ParseAdd(DifferentialCase.ClientUserAgent);
        var response = await client.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        var wire = await response.Content.ReadAsByteArrayAsync();
        if (!response.Content.Headers.ContentEncoding.Contains("gzip"))
        {
            return (response, wire, wire);
        }

        await using var gunzip = new GZipStream(new MemoryStream(wire), CompressionMode.Decompress);
        using var body = new MemoryStream();
        await gunzip.CopyToAsync(body);
        return (response, wire, body.ToArray());
    }

    private static HttpClient NewClient(Uri address) =>
        new(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = System.Net.DecompressionMethods.None }) { BaseAddress = address };
}
