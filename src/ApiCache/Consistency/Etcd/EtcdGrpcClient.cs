using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ApiCache.Configuration;
using ApiCache.Consistency.Etcd.Protocol;
using ApiCache.Upstream;
using Google.Protobuf;

namespace ApiCache.Consistency.Etcd;

/// <summary>
/// A minimal etcd v3 gRPC client over <see cref="HttpMessageInvoker"/>: HTTP/2 (h2c with prior
/// knowledge for http endpoints, ALPN h2 for https), gRPC framing, <c>grpc-status</c> from the
/// trailers (or the headers of a trailers-only answer). It speaks exactly the calls the revision
/// source needs: KV.Range, Maintenance.Status and the Watch stream. Safe to use concurrently;
/// every call names its endpoint, so failing over is the caller's choice.
/// </summary>
/// <remarks>
/// Failures throw <see cref="EtcdRpcException"/>; cancellation through the caller's token throws
/// <see cref="OperationCanceledException"/>. The invoker adds no time-out: callers bound each call.
/// </remarks>
internal sealed class EtcdGrpcClient : IDisposable
{
    /// <summary>KV.Range's method path.</summary>
    public const string RangeMethod = "/etcdserverpb.KV/Range";

    /// <summary>Maintenance.Status's method path.</summary>
    public const string StatusMethod = "/etcdserverpb.Maintenance/Status";

    /// <summary>Watch.Watch's method path.</summary>
    public const string WatchMethod = "/etcdserverpb.Watch/Watch";

    private static readonly string[] StatusNames =
    [
        "OK", "Cancelled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists", "PermissionDenied",
        "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated",
    ];

    private readonly HttpMessageInvoker _invoker;

    /// <summary>Creates a client over <paramref name="handler"/>, which it disposes when <paramref name="disposeHandler"/>.</summary>
    public EtcdGrpcClient(HttpMessageHandler handler, bool disposeHandler = true)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _invoker = new HttpMessageInvoker(handler, disposeHandler);
    }

    /// <summary>
    /// The HTTP stack towards etcd: one pooled HTTP/2 connection per endpoint (more when etcd's
    /// stream limit is reached), no proxy, keep-alive pings to notice dead connections, and the TLS
    /// trust and client certificate from <paramref name="options"/>. Configuration mistakes (files
    /// that cannot be read or parsed) throw <see cref="ApiCacheConfigurationException"/> naming the key.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(EtcdRevisionSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Section = "ApiCache:ConsistentReads:Etcd";
        var ssl = new SslClientAuthenticationOptions();
        if (!string.IsNullOrEmpty(options.CertFile) && !string.IsNullOrEmpty(options.KeyFile))
        {
            ssl.ClientCertificates =
            [
                UpstreamMaterial.LoadClientCertificate(
                    UpstreamMaterial.ReadFile(options.CertFile, $"{Section}:CertFile"),
                    UpstreamMaterial.ReadFile(options.KeyFile, $"{Section}:KeyFile"),
                    $"{Section}:CertFile/KeyFile"),
            ];
        }

        if (!string.IsNullOrEmpty(options.CaFile))
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(UpstreamMaterial.LoadCertificateAuthority(
                UpstreamMaterial.ReadFile(options.CaFile, $"{Section}:CaFile"), $"{Section}:CaFile"));
            ssl.CertificateChainPolicy = policy;
        }

        return new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = options.RequestTimeout > TimeSpan.Zero ? options.RequestTimeout : TimeSpan.FromSeconds(2),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            SslOptions = ssl,
        };
    }

    /// <summary>A KV.Range call.</summary>
    public Task<RangeResponse> RangeAsync(Uri endpoint, RangeRequest request, CancellationToken cancellationToken) =>
        UnaryAsync(endpoint, RangeMethod, request, RangeResponse.Parser, cancellationToken);

    /// <summary>A Maintenance.Status call: the answering member's version and revision.</summary>
    public Task<StatusResponse> StatusAsync(Uri endpoint, CancellationToken cancellationToken) =>
        UnaryAsync(endpoint, StatusMethod, new StatusRequest(), StatusResponse.Parser, cancellationToken);

    /// <summary>
    /// Opens a Watch stream with <paramref name="first"/> as its first message and waits for the
    /// answer's headers (etcd sends them with its first message, the watch's <c>created</c>).
    /// Dispose the stream to end it (the HTTP/2 stream is reset, which ends its watchers in etcd).
    /// </summary>
    public async Task<EtcdWatchStream> OpenWatchAsync(Uri endpoint, WatchRequest first, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(first);
        var content = new GrpcStreamContent();
        content.Send(first);

        // The request (and so its body) lives as long as the stream: disposing it would end the body.
        var request = NewRequest(endpoint, WatchMethod, content);
        var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        HttpResponseMessage? response = null;
        try
        {
            response = await SendAsync(request, endpoint, WatchMethod, abort.Token);
            CheckHeaders(response, endpoint, WatchMethod);
            Stream body;
            try
            {
                body = await response.Content.ReadAsStreamAsync(abort.Token);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                throw new EtcdRpcException($"etcd {WatchMethod} at {endpoint} failed while answering: {e.Message}", innerException: e);
            }

            var stream = new EtcdWatchStream(endpoint, request, response, content, body, abort);
            response = null;
            return stream;
        }
        catch
        {
            content.Complete();
            await abort.CancelAsync();
            response?.Dispose();
            request.Dispose();
            abort.Dispose();
            throw;
        }
    }

    /// <summary>Disposes the invoker (and the handler, if owned).</summary>
    public void Dispose() => _invoker.Dispose();

    /// <summary>Fails unless the answer's trailers (or a trailers-only answer's headers) say grpc-status 0.</summary>
    internal static void CheckStatus(HttpResponseMessage response, Uri endpoint, string method)
    {
        var status = Header(response.TrailingHeaders, "grpc-status") ?? Header(response.Headers, "grpc-status")
            ?? throw new EtcdRpcException($"etcd {method} at {endpoint} ended without a grpc-status");
        if (status != "0")
        {
            throw Failed(response, status, endpoint, method);
        }
    }

    /// <summary>Sends <paramref name="request"/>; answers once the headers arrive (the body streams).</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, Uri endpoint, string method, CancellationToken cancellationToken)
    {
        try
        {
            return await _invoker.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new EtcdRpcException($"etcd {method} at {endpoint} could not be reached: {e.Message}", innerException: e);
        }
    }

    private async Task<TResponse> UnaryAsync<TResponse>(Uri endpoint, string method, IMessage request, MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>
    {
        var content = new ByteArrayContent(GrpcFraming.Frame(request));
        content.Headers.ContentType = new MediaTypeHeaderValue(GrpcFraming.ContentType);
        using var message = NewRequest(endpoint, method, content);
        using (var response = await SendAsync(message, endpoint, method, cancellationToken))
        {
            CheckHeaders(response, endpoint, method);
            try
            {
                var reader = new GrpcMessageReader(await response.Content.ReadAsStreamAsync(cancellationToken));
                var payload = await reader.ReadMessageAsync(cancellationToken);
                TResponse? answer = default;
                if (payload is { } bytes)
                {
                    answer = parser.ParseFrom(bytes.Span);
                }

                // The trailers arrive after the body: read it to its end first.
                if (await reader.ReadMessageAsync(cancellationToken) is not null)
                {
                    throw new EtcdRpcException($"etcd {method} at {endpoint} answered more than one message");
                }

                CheckStatus(response, endpoint, method);
                return answer ?? throw new EtcdRpcException($"etcd {method} at {endpoint} answered grpc-status 0 without a message");
            }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or InvalidProtocolBufferException)
            {
                throw new EtcdRpcException($"etcd {method} at {endpoint} failed while answering: {e.Message}", innerException: e);
            }
        }
    }

    private static HttpRequestMessage NewRequest(Uri endpoint, string method, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TE.ParseAdd("trailers");
        return request;
    }

    /// <summary>Fails unless the answer is a gRPC answer (HTTP 200, application/grpc) that did not fail in its headers.</summary>
    private static void CheckHeaders(HttpResponseMessage response, Uri endpoint, string method)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new EtcdRpcException($"etcd {method} at {endpoint} answered HTTP {(int)response.StatusCode} instead of a gRPC answer");
        }

        // A trailers-only answer (the call failed at once) carries grpc-status in its headers.
        if (Header(response.Headers, "grpc-status") is { } status && status != "0")
        {
            throw Failed(response, status, endpoint, method);
        }

        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (contentType is null || !contentType.StartsWith(GrpcFraming.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            throw new EtcdRpcException($"etcd {method} at {endpoint} answered content-type '{contentType}' instead of {GrpcFraming.ContentType}");
        }
    }

    private static EtcdRpcException Failed(HttpResponseMessage response, string status, Uri endpoint, string method)
    {
        var detail = Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message");
        var code = int.TryParse(status, out var parsed) ? parsed : (int?)null;
        var name = code is >= 0 and < 17 ? StatusNames[code.Value] : "unknown status";
        var text = detail is null ? "" : ": " + Uri.UnescapeDataString(detail);
        return new EtcdRpcException($"etcd {method} at {endpoint} failed with grpc-status {status} ({name}){text}", code);
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
