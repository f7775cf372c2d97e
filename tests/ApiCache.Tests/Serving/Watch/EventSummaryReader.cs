using System.Text.Json;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// A fast watch client: reads a watch stream in the background as fast as it arrives and keeps only
/// each event's type, name and resourceVersion (never the objects), so a test can check that it saw
/// every write, in order, without holding the events' bytes.
/// </summary>
internal sealed class EventSummaryReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<(string Type, string Name, long ResourceVersion)> _events = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly Task _reader;

    private EventSummaryReader(HttpResponseMessage response)
    {
        _response = response;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Set when the stream ended (the server closed it or it failed).</summary>
    public bool Ended { get; private set; }

    /// <summary>The events seen so far.</summary>
    public IReadOnlyList<(string Type, string Name, long ResourceVersion)> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Opens the watch <paramref name="path"/> with <paramref name="client"/> and starts reading.</summary>
    public static async Task<EventSummaryReader> OpenAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        return new EventSummaryReader(response);
    }

    /// <summary>Waits (at most <paramref name="timeout"/>, a hang guard) until <paramref name="count"/> events arrived; fails if the stream ends first.</summary>
    public async Task UntilCountAsync(int count, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Events.Count < count)
        {
            Assert.False(Ended, $"the watch stream ended after {Events.Count} of {count} events");
            var left = timeout - clock.Elapsed;
            Assert.True(left > TimeSpan.Zero && await _arrived.WaitAsync(left), $"only {Events.Count} of {count} events within {timeout}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        await _reader;
        _stop.Dispose();
        _arrived.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            using var stream = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length > 0)
                {
                    var summary = Summarize(line);
                    lock (_gate)
                    {
                        _events.Add(summary);
                    }

                    _arrived.Release();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
        }
        finally
        {
            Ended = true;
            _arrived.Release();
        }
    }

    /// <summary>Type, metadata.name and metadata.resourceVersion of one event line, reading only as far as those.</summary>
    private static (string Type, string Name, long ResourceVersion) Summarize(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var metadata = root.GetProperty("object").GetProperty("metadata");
        return (
            root.GetProperty("type").GetString()!,
            metadata.TryGetProperty("name", out var name) ? name.GetString()! : "",
            long.Parse(metadata.GetProperty("resourceVersion").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }
}
