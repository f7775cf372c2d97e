using System.Buffers;
using System.IO.Pipelines;

namespace ApiCache.DevServer.Embedding;

/// <summary>
/// The response body as the caller of an in-process exchange reads it: bytes as the handler flushes
/// them, the end when the handler returns, an <see cref="IOException"/> after the bytes it sent when
/// it failed midway, and an <see cref="OperationCanceledException"/> once the exchange is aborted
/// (its request cancelled). Disposing it, or cancelling a read, aborts the exchange, as closing a
/// connection would.
/// </summary>
internal sealed class InProcessResponseStream(PipeReader reader, InProcessExchange exchange) : Stream
{
    private bool _disposed;

    /// <inheritdoc/>
    public override bool CanRead => !_disposed;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.Length == 0)
        {
            return 0;
        }

        var aborted = exchange.RequestAborted;
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, aborted) : null;
        var token = linked?.Token ?? aborted;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(token);
            }
            catch (InvalidOperationException) when (_disposed)
            {
                throw new ObjectDisposedException(nameof(InProcessResponseStream));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // As a connection's stream: a cancelled read leaves the response unusable, and ends the request.
                exchange.Abort();
                throw;
            }

            var data = result.Buffer;
            if (data.IsEmpty && !result.IsCompleted)
            {
                // A cancelled pending read without data; not the end.
                reader.AdvanceTo(data.Start);
                continue;
            }

            if (data.IsEmpty && exchange.Failure is { } failure)
            {
                throw new IOException(failure.Message, failure);
            }

            var count = (int)Math.Min(data.Length, buffer.Length);
            var taken = data.Slice(0, count);
            taken.CopyTo(buffer.Span);
            reader.AdvanceTo(taken.End);
            return count;
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            reader.Complete();
            exchange.Abort();
        }

        base.Dispose(disposing);
    }
}
