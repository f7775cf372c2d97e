using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text;
using ApiCache.Serving;
using ApiCache.Upstream;

namespace ApiCache.Informers;

/// <summary>
/// LIST and WATCH of one resource collection (e.g. <c>/api/v1/pods</c>,
/// <c>/apis/example.com/v1/widgets</c>) against the upstream, as a reflector needs them: pages of
/// raw items, and a stream of raw watch events read line by line from the chunked body. Requests
/// send <c>Accept: application/json</c> and the informer User-Agent; non-2xx answers become an
/// <see cref="UpstreamStatusException"/> carrying the Status. Built over an
/// <see cref="UpstreamEndpointSet"/>, each request takes its endpoint from
/// <see cref="UpstreamEndpointSet.Next"/>; built over an <see cref="InformerEndpointChooser"/> (an
/// informer's), each request tries the chooser's candidates in order, fails over on a connection
/// failure, 5xx or 429 (reported to the pool), and first checks that an endpoint other than the one
/// the cache's data came from has reached the resource version the request resumes from.
/// </summary>
internal sealed class ListWatchClient
{
    /// <summary>The default bound on one list page body or one watch event.</summary>
    public const int DefaultMaxMessageBytes = 256 * 1024 * 1024;

    /// <summary>The most of an error answer's body read to find its Status.</summary>
    private const int MaxErrorBodyBytes = 64 * 1024;

    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");

    private static readonly StreamPipeReaderOptions WatchReaderOptions = new(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: false);

    /// <summary>How long a catch-up check may take before the endpoint is presumed unresponsive (the apiserver answers its 504 after 3 s).</summary>
    private static readonly TimeSpan CatchUpCheckTimeout = TimeSpan.FromSeconds(15);

    private readonly UpstreamEndpointSet? _endpoints;
    private readonly InformerEndpointChooser? _chooser;
    private readonly TimeProvider _time;
    private UpstreamEndpoint? _lastWatchEndpoint;
    private readonly int _maxMessageBytes;

    /// <summary>Creates a client for the collection at <paramref name="collectionPath"/>.</summary>
    /// <param name="endpoints">The upstream apiservers.</param>
    /// <param name="collectionPath">The collection's path, starting with '/', without a query.</param>
    /// <param name="time">The clock (to read a <c>Retry-After</c> given as a date).</param>
    /// <param name="maxMessageBytes">The largest list page body or single watch event accepted.</param>
    public ListWatchClient(UpstreamEndpointSet endpoints, string collectionPath, TimeProvider time, int maxMessageBytes = DefaultMaxMessageBytes)
        : this(collectionPath, time, maxMessageBytes)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        _endpoints = endpoints;
    }

    /// <summary>Creates an informer's client for the collection at <paramref name="collectionPath"/>, with failover.</summary>
    /// <param name="chooser">Chooses the endpoint of each request, and hears of failures.</param>
    /// <param name="collectionPath">The collection's path, starting with '/', without a query.</param>
    /// <param name="time">The clock (to read a <c>Retry-After</c> given as a date).</param>
    /// <param name="maxMessageBytes">The largest list page body or single watch event accepted.</param>
    public ListWatchClient(InformerEndpointChooser chooser, string collectionPath, TimeProvider time, int maxMessageBytes = DefaultMaxMessageBytes)
        : this(collectionPath, time, maxMessageBytes)
    {
        ArgumentNullException.ThrowIfNull(chooser);
        _chooser = chooser;
    }

    private ListWatchClient(string collectionPath, TimeProvider time, int maxMessageBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(collectionPath);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageBytes, 1024);
        if (collectionPath[0] != '/' || collectionPath.Contains('?', StringComparison.Ordinal) || collectionPath.EndsWith('/'))
        {
            throw new ArgumentException($"'{collectionPath}' is not a collection path like /api/v1/pods", nameof(collectionPath));
        }

        CollectionPath = collectionPath;
        _time = time;
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>The User-Agent sent upstream: <c>apicache/&lt;version&gt; (informer)</c>.</summary>
    public static string UserAgent { get; } = "apicache/" + AssemblyVersion() + " (informer)";

    /// <summary>The collection's path.</summary>
    public string CollectionPath { get; }

    /// <summary>The informer's endpoint chooser, or null for a client over a plain endpoint set.</summary>
    public InformerEndpointChooser? Chooser => _chooser;

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
    public Task<UpstreamListPage> ListPageAsync(string? continueToken, int limit, CancellationToken cancellationToken) =>
        ListPageAsync(continueToken, limit, 0, cancellationToken);

    /// <summary>
    /// Reads one page, as <see cref="ListPageAsync(string?, int, CancellationToken)"/>, from an
    /// endpoint known to have reached <paramref name="requiredResourceVersion"/> (the cache's resource
    /// version, or the revision a continue token pins), so a list never moves the cache backwards.
    /// </summary>
    /// <param name="continueToken">The previous page's <c>metadata.continue</c>, or null for the first page.</param>
    /// <param name="limit">The page size.</param>
    /// <param name="requiredResourceVersion">The revision the answering endpoint must have reached; 0 for any.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The page; dispose it once its items are decoded.</returns>
    public async Task<UpstreamListPage> ListPageAsync(string? continueToken, int limit, long requiredResourceVersion, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var query = new StringBuilder(CollectionPath.Length + 32).Append(CollectionPath)
            .Append("?limit=").Append(limit.ToString(CultureInfo.InvariantCulture));
        if (continueToken is not null)
        {
            query.Append("&continue=").Append(Uri.EscapeDataString(continueToken));
        }

        var operation = "list of " + CollectionPath;
        using var response = (await SendAsync(query.ToString(), operation, requiredResourceVersion, cancellationToken)).Response;
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
        var (response, endpoint) = await SendAsync(pathAndQuery, operation, resourceVersion, cancellationToken);
        using var disposeResponse = response;
        Volatile.Write(ref _lastWatchEndpoint, endpoint);
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
                ReadResult result;
                try
                {
                    result = await reader.ReadAsync(cancellationToken);
                }
                catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                {
                    _chooser?.ReportFailure(endpoint, null, null, $"the watch broke: {e.Message}");
                    throw;
                }

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

                    var watchEvent = Parse(memory, operation);
                    if (watchEvent.Status is { } status)
                    {
                        ReportErrorEvent(endpoint, status);
                    }

                    yield return watchEvent;
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
    /// The informer's watch stopped sending anything (not even its timeout's end): the endpoint that
    /// served it is reported to the pool as failing, so the next request tries another first.
    /// </summary>
    public void ReportWatchStalled(string why)
    {
        if (_chooser is not null && Volatile.Read(ref _lastWatchEndpoint) is { } endpoint)
        {
            _chooser.ReportFailure(endpoint, null, null, why);
        }
    }

    /// <summary>
    /// Sends one GET. This is the one place that chooses the upstream endpoint for a connection
    /// attempt. A non-2xx answer is read, disposed and thrown as an <see cref="UpstreamStatusException"/>.
    /// With a chooser, the candidates are tried in turn: one that fails (connection, 5xx, 429) is
    /// reported and the next is tried; one that is behind <paramref name="requiredResourceVersion"/>
    /// is skipped; when every candidate failed, the last failure is thrown (the reflector backs off
    /// and tries again, without listing).
    /// </summary>
    private async Task<(HttpResponseMessage Response, UpstreamEndpoint Endpoint)> SendAsync(
        string pathAndQuery, string operation, long requiredResourceVersion, CancellationToken cancellationToken)
    {
        if (_chooser is null)
        {
            var next = _endpoints!.Next();
            return (await SendToAsync(next, pathAndQuery, operation, cancellationToken), next);
        }

        ExceptionDispatchInfo? last = null;
        foreach (var endpoint in _chooser.Candidates())
        {
            try
            {
                if (_chooser.NeedsCatchUpCheck(endpoint, requiredResourceVersion))
                {
                    await CheckCaughtUpAsync(endpoint, requiredResourceVersion, cancellationToken);
                }

                var response = await SendToAsync(endpoint, pathAndQuery, operation, cancellationToken);
                _chooser.Succeeded(endpoint);
                return (response, endpoint);
            }
            catch (UpstreamStatusException e) when (e.IsTooLargeResourceVersion)
            {
                _chooser.ReportBehind(endpoint, $"{endpoint.Name} is behind resourceVersion {requiredResourceVersion} ({e.Status.Message})");
                last = ExceptionDispatchInfo.Capture(e);
            }
            catch (UpstreamStatusException e) when (e.StatusCode is 429 or >= 500)
            {
                _chooser.ReportFailure(endpoint, e.StatusCode, e.RetryAfter, $"{endpoint.Name} answered {e.StatusCode} {e.Status.Reason}");
                last = ExceptionDispatchInfo.Capture(e);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                _chooser.ReportFailure(endpoint, null, null, $"{endpoint.Name} failed: {e.Message}");
                last = ExceptionDispatchInfo.Capture(e);
            }
        }

        last!.Throw();
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>
    /// Checks that <paramref name="endpoint"/> has reached <paramref name="resourceVersion"/> before
    /// the informer resumes there: a one-item not-older-than LIST, which an apiserver that is behind
    /// holds for a while and then answers 504 "Too large resource version" (thrown as such).
    /// </summary>
    private async Task CheckCaughtUpAsync(UpstreamEndpoint endpoint, long resourceVersion, CancellationToken cancellationToken)
    {
        var pathAndQuery = string.Create(
            CultureInfo.InvariantCulture,
            $"{CollectionPath}?limit=1&resourceVersion={resourceVersion}&resourceVersionMatch=NotOlderThan");
        var operation = $"catch-up check of {CollectionPath} at {endpoint.Name}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CatchUpCheckTimeout);
        try
        {
            using var response = await SendToAsync(endpoint, pathAndQuery, operation, timeout.Token);
            var (buffer, length) = await ReadBodyAsync(response.Content, _maxMessageBytes, truncate: false, operation, timeout.Token);
            UpstreamListPage page;
            try
            {
                page = ListPageReader.Read(buffer.AsMemory(0, length), buffer, operation);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }

            using var read = page;
            if (page.ResourceVersion < resourceVersion)
            {
                // Not what not-older-than promises; trust the list's own resource version.
                throw new UpstreamStatusException(
                    StatusError.Timeout($"Timeout: Too large resource version: {resourceVersion}, current: {page.ResourceVersion}"), operation);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{operation} got no answer within {CatchUpCheckTimeout}");
        }
        catch (UpstreamDecodeException e)
        {
            throw new IOException($"{operation}: {e.Message}", e);
        }
    }

    /// <summary>An ERROR event in a watch says something about the endpoint: behind (too large resource version) or failing (5xx, 429).</summary>
    private void ReportErrorEvent(UpstreamEndpoint endpoint, StatusError status)
    {
        if (_chooser is null)
        {
            return;
        }

        if (status.Message.Contains("Too large resource version", StringComparison.OrdinalIgnoreCase))
        {
            _chooser.ReportBehind(endpoint, $"{endpoint.Name} is behind ({status.Message})");
        }
        else if (status.Code is 429 or >= 500)
        {
            var retryAfter = status.RetryAfterSeconds is int seconds and >= 0 ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
            _chooser.ReportFailure(endpoint, status.Code, retryAfter, $"{endpoint.Name} sent a watch ERROR {status.Code} {status.Reason}");
        }
    }

    /// <summary>Sends one GET to <paramref name="endpoint"/>; a non-2xx answer is read, disposed and thrown.</summary>
    private async Task<HttpResponseMessage> SendToAsync(UpstreamEndpoint endpoint, string pathAndQuery, string operation, CancellationToken cancellationToken)
    {
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
