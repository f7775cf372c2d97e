using ApiCache.Consistency.Etcd.Protocol;
using Google.Protobuf;

namespace ApiCache.Consistency.Etcd;

/// <summary>
/// One open Watch call (see <see cref="EtcdGrpcClient.OpenWatchAsync"/>): requests go out with
/// <see cref="Send"/>, answers come back in order through <see cref="ReadAsync"/>. Disposing it
/// resets the HTTP/2 stream, which ends the stream's watchers in etcd.
/// </summary>
internal sealed class EtcdWatchStream : IAsyncDisposable
{
    /// <summary>Watch answers carry key values this source never reads; they are skipped, not kept.</summary>
    private static readonly MessageParser<WatchResponse> Parser = WatchResponse.Parser.WithDiscardUnknownFields(true);

    private readonly Uri _endpoint;
    private readonly HttpRequestMessage _request;
    private readonly HttpResponseMessage _response;
    private readonly GrpcStreamContent _requests;
    private readonly GrpcMessageReader _reader;
    private readonly CancellationTokenSource _abort;

    /// <summary>Wraps an answered call; takes ownership of every argument.</summary>
    public EtcdWatchStream(Uri endpoint, HttpRequestMessage request, HttpResponseMessage response, GrpcStreamContent requests, Stream body, CancellationTokenSource abort)
    {
        _endpoint = endpoint;
        _request = request;
        _response = response;
        _requests = requests;
        _reader = new GrpcMessageReader(body);
        _abort = abort;
    }

    /// <summary>Queues a request (create, cancel or progress) on the stream.</summary>
    public void Send(WatchRequest request) => _requests.Send(request);

    /// <summary>
    /// The next answer; null when etcd ended the stream with grpc-status 0. A failed status, a broken
    /// stream or an unreadable message throws <see cref="EtcdRpcException"/>.
    /// </summary>
    public async ValueTask<WatchResponse?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await _reader.ReadMessageAsync(cancellationToken) is { } payload)
            {
                return Parser.ParseFrom(payload.Span);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or InvalidProtocolBufferException
            && !cancellationToken.IsCancellationRequested)
        {
            throw new EtcdRpcException($"etcd {EtcdGrpcClient.WatchMethod} at {_endpoint} failed while streaming: {e.Message}", innerException: e);
        }

        EtcdGrpcClient.CheckStatus(_response, _endpoint, EtcdGrpcClient.WatchMethod);
        return null;
    }

    /// <summary>Ends the call: completes the request body and resets the stream.</summary>
    public async ValueTask DisposeAsync()
    {
        _requests.Complete();
        await _abort.CancelAsync();
        _response.Dispose();
        _request.Dispose();
        _abort.Dispose();
    }
}
