using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Google.Protobuf;

namespace ApiCache.Consistency.Etcd;

/// <summary>
/// The request body of a streaming gRPC call: messages queued with <see cref="Send"/> are written
/// as frames, each flushed at once, while the answer streams back on the same HTTP/2 stream
/// (SocketsHttpHandler sends request bodies concurrently with reading the answer over HTTP/2).
/// The body ends (half-closing the stream) after <see cref="Complete"/>.
/// </summary>
internal sealed class GrpcStreamContent : HttpContent
{
    private readonly Channel<byte[]> _frames = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Creates an empty body.</summary>
    public GrpcStreamContent()
    {
        Headers.ContentType = new MediaTypeHeaderValue(GrpcFraming.ContentType);
    }

    /// <summary>Queues <paramref name="message"/>; false once the body is complete.</summary>
    public bool Send(IMessage message) => _frames.Writer.TryWrite(GrpcFraming.Frame(message));

    /// <summary>Ends the body once the queued messages are written.</summary>
    public void Complete() => _frames.Writer.TryComplete();

    /// <inheritdoc/>
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    /// <inheritdoc/>
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // Ends when Complete is called (or the request is cancelled): the call's owner completes it when done.
        await foreach (var frame in _frames.Reader.ReadAllAsync(cancellationToken))
        {
            await stream.WriteAsync(frame, cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
    }

    /// <inheritdoc/>
    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Complete();
        }

        base.Dispose(disposing);
    }
}
