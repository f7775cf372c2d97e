using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace ApiCache.Tests.Infrastructure;

/// <summary>
/// A watch request read line by line in the background: each JSON event lands in a channel the
/// test reads with a bounded wait.
/// </summary>
internal sealed class WatchStream : IAsyncDisposable
{
    private readonly Channel<JsonObject> _events = Channel.CreateUnbounded<JsonObject>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    private WatchStream(HttpResponseMessage response)
    {
        Response = response;
        _reader = Task.Run(ReadAsync);
    }

    public HttpResponseMessage Response { get; }

    /// <summary>Set when the server ended the stream.</summary>
    public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<WatchStream> OpenAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        return new WatchStream(response);
    }

    /// <summary>The next event; fails the test after <paramref name="timeoutSeconds"/>.</summary>
    public async Task<JsonObject> NextAsync(int timeoutSeconds = 20)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            return await _events.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no watch event within {timeoutSeconds} s");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("the watch stream ended");
        }
    }

    /// <summary>The next event that is not a BOOKMARK.</summary>
    public async Task<JsonObject> NextChangeAsync(int timeoutSeconds = 20)
    {
        while (true)
        {
            var next = await NextAsync(timeoutSeconds);
            if (next["type"]!.GetValue<string>() != "BOOKMARK")
            {
                return next;
            }
        }
    }

    /// <summary>Reads events until the server ends the stream; returns them all.</summary>
    public async Task<List<JsonObject>> ReadToEndAsync(int timeoutSeconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        var all = new List<JsonObject>();
        await foreach (var item in _events.Reader.ReadAllAsync(timeout.Token))
        {
            all.Add(item);
        }

        return all;
    }

    private async Task ReadAsync()
    {
        try
        {
            using var stream = await Response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(_stop.Token) is string line)
            {
                if (line.Length > 0)
                {
                    _events.Writer.TryWrite((JsonObject)JsonNode.Parse(line)!);
                }
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
            Ended.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Response.Dispose();
        await _reader;
        _stop.Dispose();
    }
}
