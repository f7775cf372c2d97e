using Microsoft.AspNetCore.Http;

namespace ApiCache.Serving;

/// <summary>
/// A response body that holds back the first bytes written to it, so the framing can follow Go's
/// server: a body that ends before reaching <c>threshold</c> bytes is sent with a
/// <c>Content-Length</c> when the stream is disposed; once it reaches the threshold everything
/// flows on to the response, chunked. Flushes while holding back send nothing (Go's server does not
/// start chunking on them either). Used under a gzip stream, whose compressed size is only known at its end.
/// </summary>
internal sealed class LengthDecidingStream(HttpResponse response, int threshold) : Stream
{
    private readonly byte[] _held = new byte[threshold];
    private int _count;
    private bool _streaming;

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_streaming && _count + buffer.Length < _held.Length)
        {
            buffer.CopyTo(_held.AsMemory(_count));
            _count += buffer.Length;
            return;
        }

        if (!_streaming)
        {
            _streaming = true;
            await response.Body.WriteAsync(_held.AsMemory(0, _count), cancellationToken);
        }

        await response.Body.WriteAsync(buffer, cancellationToken);
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _streaming ? response.Body.FlushAsync(cancellationToken) : Task.CompletedTask;

    /// <inheritdoc/>
    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        if (!_streaming)
        {
            _streaming = true;
            response.ContentLength = _count;
            await response.Body.WriteAsync(_held.AsMemory(0, _count));
        }

        await base.DisposeAsync();
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();
}
