using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using ApiCache.Serving;
using ApiCache.Upstream;

namespace ApiCache.Informers;

/// <summary>
/// LIST and WATCH of one resource collection (e.g. <c>/api/v1/pods</c>,
/// <c>/apis/example.com/v1/widgets</c>) against the upstream, as a reflector needs them: pages of
/// raw items, and a stream of raw watch events read line by line from the chunked body. Requests
/// send <c>Accept: application/json</c> and the informer User-Agent; non-2xx answers become an
/// <see cref="UpstreamStatusException"/> carrying the Status. Each request (connection attempt)
/// takes its endpoint from <see cref="UpstreamEndpointSet.Next"/>.
/// </summary>
internal sealed class ListWatchClient
{
    /// <summary>The default bound on one list page body or one watch event.</summary>
    public const int DefaultMaxMessageBytes = 256 * 1024 * 1024;

    /// <summary>The most of an error answer's body read to find its Status.</summary>
    private const int MaxErrorBodyBytes = 64 * 1024;

    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");

    private static readonly StreamPipeReaderOptions WatchReaderOptions = new(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: false);

    private readonly UpstreamEndpointSet _endpoints;
    private readonly TimeProvider _time;
    private readonly int _maxMessageBytes;

    /// <summary>Creates a client for the collection at <paramref name="collectionPath"/>.</summary>
    /// <param name="endpoints">The upstream apiservers.</param>
    /// <param name="collectionPath">The collection's path, starting with '/', without a query.</param>
    /// <param name="time">The clock (to read a <c>Retry-After</c> given as a date).</param>
    /// <param name="maxMessageBytes">The largest list page body or single watch event accepted.</param>
    public ListWatchClient(UpstreamEndpointSet endpoints, string collectionPath, TimeProvider time, int maxMessageBytes = DefaultMaxMessageBytes)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(collectionPath);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageBytes, 1024);
        if (collectionPath[0] != '/' || collectionPath.Contains('?', StringComparison.Ordinal) || collectionPath.EndsWith('/'))
        {
            throw new ArgumentException($"'{collectionPath}' is not a collection path like /api/v1/pods", nameof(collectionPath));
        }

        _endpoints = endpoints;
        CollectionPath = collectionPath;
        _time = time;
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>The User-Agent sent upstream: <c>apicache/&lt;version&gt; (informer)</c>.</summary>
    public static string UserAgent { get; } = "apicache/" + AssemblyVersion() + " (informer)";

    /// <summary>The collection's path.</summary>
    public string CollectionPath { get; }

    /// <summary>
    /// Reads one page. Without <paramref name="continueToken"/> the request carries no
    /// resourceVersion (a consistent read of the latest state); with it, the page continues the list
    /// at the revision the token pins.
    /// </summary>
    /// <param name="continueToken">The previous page's <c>metadata.continue</c>, or null for the first page.</param>
    /// <param name="limit">The page size.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The page; dispose it once its items are decoded.</returns>
    /// <exception cref="UpstreamStatusException">The upstream answered non-2xx (410 Expired: the continue token is too old).</exception>
    /// <exception cref="UpstreamDecodeException">The body is not a Kubernetes list.</exception>
    public async Task<UpstreamListPage> ListPageAsync(string? continueToken, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var query = new StringBuilder(CollectionPath.Length + 32).Append(CollectionPath)
            .Append("?limit=").Append(limit.ToString(CultureInfo.InvariantCulture));
        if (continueToken is not null)
        {
            query.Append("&continue=").Append(Uri.EscapeDataString(continueToken));
        }

        var operation = "list of " + CollectionPath;
        using var response = await SendAsync(query.ToString(), operation, cancellationToken);
        var (buffer, length) = await ReadBodyAsync(response.Content, _maxMessageBytes, truncate: false, operation, cancellationToken);
        try
        {
            return ListPageReader.Read(buffer.AsMemory(0, length), buffer, operation);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// Watches the collection from <paramref name="resourceVersion"/> with bookmarks, for at most
    /// <paramref name="timeoutSeconds"/>. The stream ends when the upstream closes it (timeout);
    /// a broken connection surfaces as an <see cref="IOException"/> or <see cref="HttpRequestException"/>.
    /// Each event's object is a slice of the stream buffer, valid until the next event is requested.
    /// </summary>
    /// <param name="resourceVersion">Changes after this revision are streamed.</param>
    /// <param name="timeoutSeconds">The upstream ends the watch after this many seconds.</param>
    /// <param name="cancellationToken">Cancels the request and the stream.</param>
    /// <exception cref="UpstreamStatusException">The upstream answered non-2xx.</exception>
    /// <exception cref="UpstreamDecodeException">A line is not a watch event, or is larger than the bound.</exception>
    public async IAsyncEnumerable<UpstreamWatchEvent> WatchAsync(long resourceVersion, int timeoutSeconds, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(resourceVersion);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeoutSeconds, 1);
        var pathAndQuery = string.Create(
            CultureInfo.InvariantCulture,
            $"{CollectionPath}?watch=true&resourceVersion={resourceVersion}&allowWatchBookmarks=true&timeoutSeconds={timeoutSeconds}");
        var operation = "watch of " + CollectionPath;
        using var response = await SendAsync(pathAndQuery, operation, cancellationToken);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var reader = PipeReader.Create(stream, WatchReaderOptions);
        byte[]? joined = null;
        try
        {
            // Bytes of the pending (unconsumed) data already searched for a newline, so a large event
            // arriving in many reads is scanned once.
            long scanned = 0;
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                var consumed = buffer.Start;
                while (true)
                {
                    var pending = buffer.Slice(consumed);
                    var newline = pending.Slice(scanned).PositionOf((byte)'\n');
                    if (newline is null)
                    {
                        scanned = pending.Length;
                        break;
                    }

                    var line = pending.Slice(0, newline.Value);
                    consumed = buffer.GetPosition(1, newline.Value);
                    scanned = 0;
                    if (line.Length > _maxMessageBytes)
                    {
                        throw TooLarge(operation, _maxMessageBytes);
                    }

                    ReadOnlyMemory<byte> memory;
                    if (line.IsSingleSegment)
                    {
                        memory = line.First;
                    }
                    else
                    {
                        if (joined is null || joined.Length < line.Length)
                        {
                            if (joined is not null)
                            {
                                ArrayPool<byte>.Shared.Return(joined);
                            }

                            joined = ArrayPool<byte>.Shared.Rent((int)line.Length);
                        }

                        line.CopyTo(joined);
                        memory = joined.AsMemory(0, (int)line.Length);
                    }

                    if (IsBlank(memory.Span))
                    {
                        continue;
                    }

                    yield return Parse(memory, operation);
                }

                if (scanned > _maxMessageBytes)
                {
                    throw TooLarge(operation, _maxMessageBytes);
                }

                if (result.IsCompleted)
                {
                    if (!IsBlank(buffer.Slice(consumed)))
                    {
                        throw new IOException($"{operation}: the stream ended in the middle of an event");
                    }

                    yield break;
                }

                reader.AdvanceTo(consumed, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync();
            if (joined is not null)
            {
                ArrayPool<byte>.Shared.Return(joined);
            }
        }
    }

    /// <summary>
    /// Sends one GET. This is the one place that chooses the upstream endpoint for a connection
    /// attempt. A non-2xx answer is read, disposed and thrown as an <see cref="UpstreamStatusException"/>.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(string pathAndQuery, string operation, CancellationToken cancellationToken)
    {
        var endpoint = _endpoints.Next();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoint.DestinationPrefix + pathAndQuery, UriKind.Absolute))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        request.Headers.Accept.Add(Json);
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        var response = await endpoint.Invoker.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ToExceptionAsync(response, operation, cancellationToken);
        }
    }

    private async Task<UpstreamStatusException> ToExceptionAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        var code = (int)response.StatusCode;
        byte[]? buffer = null;
        var length = 0;
        try
        {
            (buffer, length) = await ReadBodyAsync(response.Content, MaxErrorBodyBytes, truncate: true, operation, cancellationToken);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            // The status line says enough; the body was cut.
        }

        StatusError status;
        try
        {
            var body = buffer.AsSpan(0, length);
            if (!UpstreamStatusReader.TryRead(body, out status))
            {
                var text = Encoding.UTF8.GetString(body.Length > 512 ? body[..512] : body).Trim();
                status = new StatusError(code, ((HttpStatusCode)code).ToString(), text.Length > 0 ? text : $"the upstream answered HTTP {code}");
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        if (status.Code != code)
        {
            // The HTTP status is what happened; a Status body with another code is only advisory.
            status = status with { Code = code };
        }

        return new UpstreamStatusException(status, operation, RetryAfter(response, status));
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response, StatusError status)
    {
        if (response.Headers.RetryAfter is { } header)
        {
            if (header.Delta is { } delta)
            {
                return delta;
            }

            if (header.Date is { } date)
            {
                var wait = date - _time.GetUtcNow();
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        return status.RetryAfterSeconds is int seconds and >= 0 ? TimeSpan.FromSeconds(seconds) : null;
    }

    /// <summary>Reads a whole body into a pooled buffer (the caller returns it); over <paramref name="max"/> it is cut (truncate) or refused.</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpContent content, int max, bool truncate, string operation, CancellationToken cancellationToken)
    {
        var declared = content.Headers.ContentLength;
        if (declared > max && !truncate)
        {
            throw TooLarge(operation, max);
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(declared ?? 16 * 1024, 256, max));
        var length = 0;
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken);
            while (true)
            {
                var room = Math.Min(buffer.Length, max);
                if (length == room)
                {
                    if (room == max)
                    {
                        if (truncate)
                        {
                            return (buffer, length);
                        }

                        throw TooLarge(operation, max);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, max));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                    room = Math.Min(buffer.Length, max);
                }

                var read = await stream.ReadAsync(buffer.AsMemory(length, room - length), cancellationToken);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static UpstreamWatchEvent Parse(ReadOnlyMemory<byte> line, string operation)
    {
        if (!WatchEventReader.TryRead(line.Span, out var type, out var range, out var error))
        {
            throw new UpstreamDecodeException($"{operation}: {error}");
        }

        var obj = line[range];
        if (type != UpstreamWatchEventType.Error)
        {
            return new UpstreamWatchEvent(type, obj, null);
        }

        if (!UpstreamStatusReader.TryRead(obj.Span, out var status))
        {
            status = new StatusError(500, "InternalError", "an ERROR watch event without a Status: " + Encoding.UTF8.GetString(obj.Span[..Math.Min(obj.Length, 512)]));
        }

        return new UpstreamWatchEvent(type, obj, status);
    }

    private static bool IsBlank(ReadOnlySpan<byte> span) => span.IndexOfAnyExcept(" \t\r\n"u8) < 0;

    private static bool IsBlank(System.Buffers.ReadOnlySequence<byte> sequence)
    {
        foreach (var segment in sequence)
        {
            if (!IsBlank(segment.Span))
            {
                return false;
            }
        }

        return true;
    }

    private static UpstreamDecodeException TooLarge(string operation, int max) =>
        new($"{operation}: a list page or watch event is larger than {max} bytes (ReflectorSettings.MaxMessageBytes)");

    private static string AssemblyVersion()
    {
        var assembly = typeof(ListWatchClient).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (!string.IsNullOrEmpty(informational))
        {
            var plus = informational.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? informational : informational[..plus];
        }

        return assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    }
}
