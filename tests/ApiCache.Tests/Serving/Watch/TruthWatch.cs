using System.Globalization;
using System.Text.Json.Nodes;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// The direct, unfiltered watch of every pod on the dev server (not through the proxy nor the
/// relay) that fills the run's <see cref="UpstreamRecord"/>: the ground truth of what the upstream
/// produced. Any break in it (the stream ending, an ERROR) is kept in <see cref="Failure"/>.
/// </summary>
internal sealed class TruthWatch : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private string? _failure;

    private TruthWatch(Uri upstream, UpstreamRecord record)
    {
        Record = record;
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = upstream, Timeout = TimeSpan.FromSeconds(30) };
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>What the upstream produced so far.</summary>
    public UpstreamRecord Record { get; }

    /// <summary>Why the record may be incomplete; null while it is whole.</summary>
    public string? Failure => Volatile.Read(ref _failure);

    /// <summary>Starts watching every pod after <paramref name="startRevision"/>.</summary>
    public static TruthWatch Start(Uri upstream, long startRevision) => new(upstream, new UpstreamRecord(startRevision));

    /// <summary>Returns once the record has reached <paramref name="revision"/> (bookmarks included); fails the test after 20 s.</summary>
    public async Task UntilAsync(long revision)
    {
        for (var i = 0; i < 400 && Record.LastRevision < revision && Failure is null; i++)
        {
            await Task.Delay(50);
        }

        Assert.True(Failure is null, "the direct watch broke: " + Failure);
        Assert.True(Record.LastRevision >= revision, $"the direct watch is at {Record.LastRevision}, not {revision}, after 20 s");
    }

    private async Task ReadAsync()
    {
        var path = "/api/v1/pods?watch=true&allowWatchBookmarks=true&resourceVersion=" + Record.StartRevision.ToString(CultureInfo.InvariantCulture);
        try
        {
            using var response = await _client.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, _stop.Token);
            if (!response.IsSuccessStatusCode)
            {
                Volatile.Write(ref _failure, $"GET {path} answered {(int)response.StatusCode}");
                return;
            }

            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
            while (await reader.ReadLineAsync(_stop.Token) is string line)
            {
                if (line.Length > 0 && Record.Add((JsonObject)JsonNode.Parse(line)!) is string broken)
                {
                    Volatile.Write(ref _failure, broken);
                    return;
                }
            }

            Volatile.Write(ref _failure, "the direct watch ended");
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or HttpRequestException or System.Text.Json.JsonException)
        {
            Volatile.Write(ref _failure, "the direct watch failed: " + e.Message);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reader;
        _client.Dispose();
        _stop.Dispose();
    }
}
