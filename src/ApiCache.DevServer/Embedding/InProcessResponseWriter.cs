using System.IO.Pipelines;

namespace ApiCache.DevServer.Embedding;

/// <summary>
/// The response body writer of an in-process exchange: the pipe's writer, except that a flush (or a
/// write, which flushes) first starts the response, so the caller receives the status and headers
/// before the first bytes, as over a connection; and a flush that finds the caller gone aborts the
/// request, so a handler streaming a watch stops.
/// </summary>
internal sealed class InProcessResponseWriter(PipeWriter inner, InProcessExchange exchange) : PipeWriter
{
    /// <inheritdoc/>
    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    /// <inheritdoc/>
    public override long UnflushedBytes => inner.UnflushedBytes;

    /// <inheritdoc/>
    public override void Advance(int bytes) => inner.Advance(bytes);

    /// <inheritdoc/>
    public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

    /// <inheritdoc/>
    public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

    /// <inheritdoc/>
    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    /// <summary>The exchange completes the pipe itself, when the handler has returned.</summary>
    public override void Complete(Exception? exception = null)
    {
    }

    /// <inheritdoc/>
    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        await exchange.StartAsync(cancellationToken);
        var result = await inner.FlushAsync(cancellationToken);
        if (result.IsCompleted)
        {
            // The caller disposed the response: nobody reads what follows.
            exchange.Abort();
        }

        return result;
    }
}
