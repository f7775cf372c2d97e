using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ApiCache.DevServer.Etcd;

/// <summary>
/// A small etcd v3 client over the documented JSON gateway (grpc-gateway, <c>/v3/...</c>, etcd 3.4+):
/// keys and values travel as base64, int64 fields as strings. Covers what the dev server needs:
/// range, transactions, compaction, status and watch. Every failure surfaces as <see cref="EtcdException"/>
/// (except cancellation through the caller's token, which throws <see cref="OperationCanceledException"/>).
/// </summary>
/// <remarks>
/// The <see cref="HttpClient"/> must have an infinite <see cref="HttpClient.Timeout"/>, or it would cut
/// long-lived watch streams; unary calls are bounded by <see cref="RequestTimeout"/> instead.
/// Safe to use concurrently.
/// </remarks>
internal sealed class EtcdClient : IDisposable
{
    /// <summary>How long a unary call may take by default (and how long a watch may take to start).</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _httpClient;
    private readonly bool _ownsHttpClient;

    /// <summary>Creates a client with its own <see cref="HttpClient"/> (no proxy, no overall time-out).</summary>
    public EtcdClient(Uri endpoint, TimeSpan? requestTimeout = null)
        : this(
            new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan },
            endpoint,
            requestTimeout,
            ownsHttpClient: true)
    {
    }

    /// <summary>
    /// Creates a client over <paramref name="httpClient"/>, which the caller keeps owning. Its
    /// <see cref="HttpClient.Timeout"/> must be <see cref="Timeout.InfiniteTimeSpan"/>.
    /// </summary>
    public EtcdClient(HttpClient httpClient, Uri endpoint, TimeSpan? requestTimeout = null)
        : this(httpClient, endpoint, requestTimeout, ownsHttpClient: false)
    {
    }

    private EtcdClient(HttpClient httpClient, Uri endpoint, TimeSpan? requestTimeout, bool ownsHttpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(endpoint);
        if (httpClient.Timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException(
                "The HttpClient's Timeout must be Timeout.InfiniteTimeSpan: it would cut watch streams (unary calls use requestTimeout).",
                nameof(httpClient));
        }

        if (!endpoint.IsAbsoluteUri)
        {
            throw new ArgumentException($"The etcd endpoint must be an absolute URI: {endpoint}", nameof(endpoint));
        }

        _httpClient = httpClient;
        _ownsHttpClient = ownsHttpClient;

        // With a trailing slash, relative paths like "v3/kv/range" resolve under any base path.
        Endpoint = endpoint.AbsolutePath.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        RequestTimeout = requestTimeout ?? DefaultRequestTimeout;
    }

    /// <summary>The etcd client URL, e.g. http://127.0.0.1:2379/.</summary>
    public Uri Endpoint { get; }

    /// <summary>How long a unary call may take.</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>The range end that selects every key starting with <paramref name="prefix"/> (etcd's <c>GetPrefixRangeEnd</c>).</summary>
    public static byte[] PrefixEnd(ReadOnlySpan<byte> prefix) => ApiCache.Consistency.Etcd.EtcdKeys.PrefixEnd(prefix);

    /// <summary>Reads a key or a range (<c>POST /v3/kv/range</c>).</summary>
    public Task<EtcdRangeResponse> RangeAsync(EtcdRangeRequest request, CancellationToken cancellationToken) =>
        PostAsync("v3/kv/range", JsonContent.Create(request, EtcdJsonContext.Default.EtcdRangeRequest), EtcdJsonContext.Default.EtcdRangeResponse, cancellationToken);

    /// <summary>Runs a transaction (<c>POST /v3/kv/txn</c>).</summary>
    public Task<EtcdTxnResponse> TxnAsync(EtcdTxnRequest request, CancellationToken cancellationToken) =>
        PostAsync("v3/kv/txn", JsonContent.Create(request, EtcdJsonContext.Default.EtcdTxnRequest), EtcdJsonContext.Default.EtcdTxnResponse, cancellationToken);

    /// <summary>
    /// Compacts history before <paramref name="revision"/> (<c>POST /v3/kv/compaction</c>); with
    /// <paramref name="physical"/>, answers once the compaction is applied. Returns the store revision.
    /// </summary>
    public async Task<long> CompactAsync(long revision, bool physical, CancellationToken cancellationToken)
    {
        var request = new EtcdCompactionRequest { Revision = revision, Physical = physical ? true : null };

        // The answer is a bare header, which the status answer's shape reads as well.
        var response = await PostAsync(
            "v3/kv/compaction",
            JsonContent.Create(request, EtcdJsonContext.Default.EtcdCompactionRequest),
            EtcdJsonContext.Default.EtcdStatusResponse,
            cancellationToken);
        return response.Header.Revision;
    }

    /// <summary>The member's status, including the current store revision (<c>POST /v3/maintenance/status</c>).</summary>
    public Task<EtcdStatusResponse> StatusAsync(CancellationToken cancellationToken) =>
        PostAsync("v3/maintenance/status", new StringContent("{}", Encoding.UTF8, "application/json"), EtcdJsonContext.Default.EtcdStatusResponse, cancellationToken);

    /// <summary>
    /// Opens a watch (<c>POST /v3/watch</c>) and yields each message of the streamed answer: first the
    /// <c>created</c> one, then events, progress notifications, and a final canceled one if etcd ends
    /// the watch (the sequence ends after it). Ends early when the stream ends; cancelling
    /// <paramref name="cancellationToken"/> (or disposing the enumerator) closes the stream, which
    /// ends the watch in etcd.
    /// </summary>
    public async IAsyncEnumerable<EtcdWatchResponse> WatchAsync(
        EtcdWatchCreateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await OpenWatchAsync(request, cancellationToken);
        using var reader = new StreamReader(
            await ReadStreamAsync(response, cancellationToken), Encoding.UTF8, detectEncodingFromByteOrderMarks: false);

        // One message per line, until etcd cancels the watch, the stream ends or the caller cancels.
        while (await ReadWatchMessageAsync(reader, cancellationToken) is { } message)
        {
            yield return message;
            if (message.Canceled)
            {
                yield break;
            }
        }
    }

    /// <summary>Disposes the <see cref="HttpClient"/> if this client created it.</summary>
    public void Dispose()
    {
        if (_ownsHttpClient)
        {
            _httpClient.Dispose();
        }
    }

    /// <summary>Posts <paramref name="content"/> (disposed here) and reads the JSON answer; any failure becomes an <see cref="EtcdException"/>.</summary>
    private async Task<TResponse> PostAsync<TResponse>(
        string path, HttpContent content, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var disposeContent = content;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await _httpClient.PostAsync(new Uri(Endpoint, path), content, timeout.Token);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw EtcdException.FromErrorBody(path, (int)response.StatusCode, body);
            }

            return JsonSerializer.Deserialize(body, responseType)
                ?? throw new EtcdException($"etcd {path} answered null", httpStatus: (int)response.StatusCode);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EtcdException($"etcd {path} did not answer within {RequestTimeout} ({Endpoint})", innerException: e);
        }
        catch (HttpRequestException e)
        {
            throw new EtcdException($"etcd {path} could not be reached at {Endpoint}: {e.Message}", innerException: e);
        }
        catch (JsonException e)
        {
            throw new EtcdException($"etcd {path} answered unreadable JSON: {e.Message}", innerException: e);
        }
    }

    /// <summary>Sends the watch request and waits for the answer's headers (bounded by <see cref="RequestTimeout"/>).</summary>
    private async Task<HttpResponseMessage> OpenWatchAsync(EtcdWatchCreateRequest request, CancellationToken cancellationToken)
    {
        const string path = "v3/watch";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        HttpResponseMessage? response = null;
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(Endpoint, path))
            {
                Content = JsonContent.Create(new EtcdWatchRequest { CreateRequest = request }, EtcdJsonContext.Default.EtcdWatchRequest),
            };
            response = await _httpClient.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
                throw EtcdException.FromErrorBody(path, (int)response.StatusCode, body);
            }

            var opened = response;
            response = null;
            return opened;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EtcdException($"etcd {path} did not answer within {RequestTimeout} ({Endpoint})", innerException: e);
        }
        catch (HttpRequestException e)
        {
            throw new EtcdException($"etcd {path} could not be reached at {Endpoint}: {e.Message}", innerException: e);
        }
        finally
        {
            response?.Dispose();
        }
    }

    private static async Task<Stream> ReadStreamAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStreamAsync(cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new EtcdException($"etcd watch stream failed: {e.Message}", innerException: e);
        }
    }

    /// <summary>Reads the next <c>{"result":...}</c> line; null at the end of the stream; an <c>{"error":...}</c> line throws.</summary>
    private static async Task<EtcdWatchResponse?> ReadWatchMessageAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        // Blank lines carry nothing; the bound only guards against a stream of nothing but blank lines.
        for (var blank = 0; blank < 1000; blank++)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                throw new EtcdException($"etcd watch stream failed: {e.Message}", innerException: e);
            }

            if (line is null)
            {
                return null;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            EtcdWatchLine? parsed;
            try
            {
                parsed = JsonSerializer.Deserialize(line, EtcdJsonContext.Default.EtcdWatchLine);
            }
            catch (JsonException e)
            {
                throw new EtcdException($"etcd watch stream sent unreadable JSON: {e.Message}", innerException: e);
            }

            if (parsed?.Error is { } error)
            {
                throw EtcdException.FromErrorBody("v3/watch", null, error);
            }

            return parsed?.Result ?? throw new EtcdException($"etcd watch stream sent a line without result: {line}");
        }

        throw new EtcdException("etcd watch stream sent only blank lines");
    }
}
