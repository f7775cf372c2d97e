using System.Buffers.Text;
using System.Diagnostics;
using System.Net;

namespace ApiCache.LoadTests;

/// <summary>
/// One watcher of the <c>watch</c> mode: a single task reading one watch stream into a buffer
/// allocated once, splitting it into events at newlines and parsing only what it needs with span
/// searches (no JSON parse): the event type, the object's resourceVersion (to resume from), and the
/// writer's send timestamp annotation, whose age at the time of the read is the event's end-to-end
/// latency. A stream the server ends before the run stops is reopened from the last
/// resourceVersion seen (as a reflector would), counted in <see cref="Reconnects"/>.
/// </summary>
internal sealed class WatchStream(HttpClient client, string? nodeName, long startRevision, int bufferSize, LatencyHistogram latencies)
{
    /// <summary>The annotation the writer stamps with <see cref="Stopwatch.GetTimestamp"/> at send time.</summary>
    public const string SentAnnotation = "apicache.dev/bench-sent";

    /// <summary>How often one watcher may reopen its stream (server closes, failed opens) before it gives up.</summary>
    private const int MaxOpens = 50;

    private static readonly byte[] TypePrefix = "{\"type\":\""u8.ToArray();
    private static readonly byte[] TypeField = "\"type\":\""u8.ToArray();
    private static readonly byte[] ResourceVersionField = "\"resourceVersion\":\""u8.ToArray();
    private static readonly byte[] SentField = System.Text.Encoding.UTF8.GetBytes($"\"{SentAnnotation}\":\"");

    private byte[] _buffer = new byte[bufferSize];
    private long _lastRevision = startRevision;
    private long _received;
    private readonly TaskCompletionSource _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The node whose pods this watcher selects, or null for all pods.</summary>
    public string? NodeName => nodeName;

    /// <summary>Stamped events received (MODIFIED/ADDED/DELETED carrying the annotation).</summary>
    public long Received => Volatile.Read(ref _received);

    /// <summary>BOOKMARK events received.</summary>
    public long Bookmarks { get; private set; }

    /// <summary>ERROR events received (the stream then ends and is not reopened).</summary>
    public long Errors { get; private set; }

    /// <summary>Times the stream was reopened after the server ended it or an open failed.</summary>
    public int Reconnects { get; private set; }

    /// <summary>Opens that did not answer 200 (status codes or exception types, last one).</summary>
    public string? LastFailure { get; private set; }

    /// <summary>Completes when the first open got its response headers (some servers send them only with the first event).</summary>
    public Task HeadersReceived => _headers.Task;

    /// <summary>Opens the stream and reads it until <paramref name="stop"/> (reopening it when the server ends it early).</summary>
    public Task RunAsync(CancellationToken stop) => Task.Run(
        async () =>
        {
            var response = await ConnectAsync(stop);
            _headers.TrySetResult();
            await ReadLoopAsync(response, stop);
        },
        CancellationToken.None);

    private string Path() =>
        "/api/v1/pods?watch=1&allowWatchBookmarks=true"
        + (nodeName is null ? "" : "&fieldSelector=spec.nodeName%3D" + nodeName)
        + "&resourceVersion=" + _lastRevision.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<HttpResponseMessage?> ConnectAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && Reconnects < MaxOpens)
        {
            try
            {
                var response = await client.GetAsync(new Uri(Path(), UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, stop);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return response;
                }

                LastFailure = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                response.Dispose();
            }
            catch (HttpRequestException e)
            {
                LastFailure = e.HttpRequestError.ToString();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return null;
            }

            Reconnects++;
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        return null;
    }

    private async Task ReadLoopAsync(HttpResponseMessage? response, CancellationToken stop)
    {
        while (response is not null)
        {
            using (response)
            {
                try
                {
                    await using var stream = await response.Content.ReadAsStreamAsync(stop);
                    if (!await ReadEventsAsync(stream, stop))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpIOException e)
                {
                    LastFailure = e.HttpRequestError.ToString();
                }
                catch (IOException e)
                {
                    LastFailure = e.GetType().Name;
                }
            }

            if (stop.IsCancellationRequested)
            {
                return;
            }

            // The server ended the stream early (slow watcher, timeout, error): resume from the last resourceVersion seen.
            Reconnects++;
            response = await ConnectAsync(stop);
        }
    }

    /// <summary>Reads events until the stream ends (true: reopen) or an ERROR event arrives (false).</summary>
    private async Task<bool> ReadEventsAsync(Stream stream, CancellationToken stop)
    {
        int start = 0, end = 0;
        while (true)
        {
            if (_buffer.Length - end < 1024)
            {
                if (start > 0)
                {
                    Buffer.BlockCopy(_buffer, start, _buffer, 0, end - start);
                    (end, start) = (end - start, 0);
                }
                else
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(end), stop);
            if (read == 0)
            {
                return true;
            }

            var now = Stopwatch.GetTimestamp();
            end += read;
            int newline;
            while ((newline = _buffer.AsSpan(start, end - start).IndexOf((byte)'\n')) >= 0)
            {
                if (!OnEvent(_buffer.AsSpan(start, newline), now))
                {
                    return false;
                }

                start += newline + 1;
            }

            if (start == end)
            {
                start = end = 0;
            }
        }
    }

    /// <summary>Counts one event; false for an ERROR event.</summary>
    private bool OnEvent(ReadOnlySpan<byte> line, long receivedAt)
    {
        if (line.IsEmpty)
        {
            return true;
        }

        // The apiserver writes the type first; should a server write it last, the last "type" is the event's.
        var type = line.StartsWith(TypePrefix) ? line[TypePrefix.Length..] : After(line, line.LastIndexOf(TypeField), TypeField.Length);
        if (type.StartsWith("ERROR"u8))
        {
            Errors++;
            return false;
        }

        var at = line.IndexOf(ResourceVersionField);
        if (at >= 0 && Utf8Parser.TryParse(line[(at + ResourceVersionField.Length)..], out long revision, out _))
        {
            _lastRevision = Math.Max(_lastRevision, revision);
        }

        if (type.StartsWith("BOOKMARK"u8))
        {
            Bookmarks++;
            return true;
        }

        at = line.IndexOf(SentField);
        if (at >= 0 && Utf8Parser.TryParse(line[(at + SentField.Length)..], out long sentAt, out _))
        {
            latencies.Record(receivedAt - sentAt);
            Interlocked.Increment(ref _received);
        }

        return true;
    }

    private static ReadOnlySpan<byte> After(ReadOnlySpan<byte> line, int at, int length) => at < 0 ? default : line[(at + length)..];
}
