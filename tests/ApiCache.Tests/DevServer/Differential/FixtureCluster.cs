using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Differential;

/// <summary>
/// A dev server holding the recorded cluster (<see cref="FixtureClusterSeed"/>), optionally with the
/// recording's first four writes applied, and the replay of fixture requests against it: the same
/// method, path, query, body, Accept, Content-Type and User-Agent (the apiserver indents JSON for
/// curl's User-Agent), without Authorization (the dev server has no authentication). The recorded
/// cluster's resourceVersions in the query and in continue tokens are translated to this server's.
/// </summary>
internal sealed class FixtureCluster : IAsyncDisposable
{
    private readonly HttpClient _client;

    private FixtureCluster(DevServerHost host, long seedRevision, long? writesRevision)
    {
        Host = host;
        SeedRevision = seedRevision;
        WritesRevision = writesRevision;
        // A client without default headers: every header sent is one the fixture's request had.
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, AutomaticDecompression = System.Net.DecompressionMethods.None })
        {
            BaseAddress = host.Address,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>The dev server.</summary>
    public DevServerHost Host { get; }

    /// <summary>This server's revision right after seeding (the recorded cluster's 249).</summary>
    public long SeedRevision { get; }

    /// <summary>This server's revision after the recorded writes (the recorded cluster's 253); null when they were not applied.</summary>
    public long? WritesRevision { get; }

    /// <summary>Starts a dev server, seeds it and, when <paramref name="withRecordedWrites"/>, applies the recording's first writes.</summary>
    public static async Task<FixtureCluster> StartAsync(bool withRecordedWrites)
    {
        // The apiserver waits 3 s before its 504 "Too large resource version"; the answer is the same after a shorter wait.
        var host = await DevServerHost.StartAsync(options => options.TooLargeResourceVersionWait = TimeSpan.FromMilliseconds(200));
        try
        {
            var seeded = await FixtureClusterSeed.SeedAsync(host);
            long? writes = withRecordedWrites ? await FixtureClusterSeed.ApplyRecordedWritesAsync(host) : null;
            return new FixtureCluster(host, seeded, writes);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends the fixture's request to this server and reads the whole answer.</summary>
    public async Task<ReplayedResponse> ReplayAsync(FixtureRequest fixture)
    {
        var target = await TranslateTargetAsync(fixture.Target);
        using var request = new HttpRequestMessage(new HttpMethod(fixture.Method), target);
        foreach (var (name, value) in fixture.Headers)
        {
            if (name.Equals("Accept", StringComparison.OrdinalIgnoreCase) || name.Equals("User-Agent", StringComparison.OrdinalIgnoreCase))
            {
                Assert.True(request.Headers.TryAddWithoutValidation(name, value), $"{fixture.Name}: cannot send header {name}: {value}");
            }
        }

        if (fixture.Body.Length > 0 || fixture.Header("Content-Type") is not null)
        {
            request.Content = new ByteArrayContent(fixture.Body);
            if (fixture.Header("Content-Type") is string contentType)
            {
                Assert.True(request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType), $"{fixture.Name}: cannot send Content-Type {contentType}");
            }
        }

        using var response = await _client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        var type = response.Content.Headers.TryGetValues("Content-Type", out var values) ? string.Join(", ", values) : null;
        return new ReplayedResponse((int)response.StatusCode, type, body);
    }

    /// <summary>
    /// The request target with the recorded cluster's resourceVersions (in <c>resourceVersion</c> and
    /// inside <c>continue</c> tokens) replaced by this server's; everything else byte for byte.
    /// </summary>
    private async Task<string> TranslateTargetAsync(string target)
    {
        var question = target.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return target;
        }

        var parameters = target[(question + 1)..].Split('&');
        for (var i = 0; i < parameters.Length; i++)
        {
            var equals = parameters[i].IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                continue;
            }

            var name = parameters[i][..equals];
            var value = parameters[i][(equals + 1)..];
            if (name == "resourceVersion" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var rv))
            {
                parameters[i] = name + "=" + (await TranslateRevisionAsync(rv)).ToString(CultureInfo.InvariantCulture);
            }
            else if (name == "continue" && await TranslateContinueAsync(value) is string token)
            {
                parameters[i] = name + "=" + token;
            }
        }

        return target[..question] + "?" + string.Join('&', parameters);
    }

    /// <summary>
    /// Maps a resourceVersion of the recorded cluster: 249 and 253 to this server's matching
    /// revisions; 0, tiny ones and far-future ones (99999999) stay; any other recorded RV (only
    /// later states, used by error fixtures whose answer does not depend on it) becomes this
    /// server's current revision.
    /// </summary>
    private async Task<long> TranslateRevisionAsync(long recorded)
    {
        if (recorded == FixtureClusterSeed.RecordedSeedRevision)
        {
            return SeedRevision;
        }

        if (recorded == FixtureClusterSeed.RecordedWritesRevision)
        {
            return WritesRevision ?? throw new InvalidOperationException("this fixture was recorded after the recorded writes; replay it on a cluster that has them");
        }

        return recorded < 100 || recorded >= 99_999_999 ? recorded : await Host.Store.GetRevisionAsync(CancellationToken.None);
    }

    /// <summary>The continue token with its <c>rv</c> translated (field order and <c>start</c> kept); null when it is not a decodable token.</summary>
    private async Task<string?> TranslateContinueAsync(string token)
    {
        JsonObject? json;
        try
        {
            json = JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token)) as JsonObject;
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            return null; // e.g. 04-err-continue-invalid-token: sent as recorded
        }

        if (json?["rv"] is not JsonValue rv || !rv.TryGetValue<long>(out var recorded))
        {
            return null;
        }

        json["rv"] = await TranslateRevisionAsync(recorded);
        return System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await Host.DisposeAsync();
    }
}
