using System.Buffers;

namespace ApiCache.Forwarding;

/// <summary>
/// The plaintext stream of an HTTP/1.1 connection to the upstream, with the marker names of
/// <see cref="RepeatedHeaders"/> rewritten as the request head is written: <c>\r\nX-Apicache-Repeat-&lt;nonce&gt;-&lt;n&gt;-Name:</c>
/// becomes <c>\r\nName:</c>. SocketsHttpHandler writes a request head in one write, so a marker
/// never straddles two writes; everything else (reads, bodies without markers) passes unchanged.
/// </summary>
internal sealed class RepeatedHeaderStream(Stream inner) : Stream
{
    /// <inheritdoc/>
    public override bool CanRead => inner.CanRead;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => inner.CanWrite;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override void Flush() => inner.Flush();

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.IndexOf(RepeatedHeaders.LineMarker) < 0)
        {
            inner.Write(buffer);
            return;
        }

        var rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var length = Rewrite(buffer, rented);
            inner.Write(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        buffer.Span.IndexOf(RepeatedHeaders.LineMarker) < 0
            ? inner.WriteAsync(buffer, cancellationToken)
            : WriteRewrittenAsync(buffer, cancellationToken);

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="destination"/> (at least as long) without
    /// the markers; returns the length written.
    /// </summary>
    internal static int Rewrite(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var marker = RepeatedHeaders.LineMarker;
        var written = 0;
        while (true)
        {
            var found = source.IndexOf(marker);
            if (found < 0)
            {
                source.CopyTo(destination[written..]);
                return written + source.Length;
            }

            // Keep everything up to and including the CRLF; drop the prefix, the index digits and the dash.
            var keep = found + 2;
            source[..keep].CopyTo(destination[written..]);
            written += keep;
            var rest = source[(found + marker.Length)..];
            var digits = 0;
            while (digits < rest.Length && rest[digits] is >= (byte)'0' and <= (byte)'9')
            {
                digits++;
            }

            if (digits > 0 && digits < rest.Length && rest[digits] == '-')
            {
                source = rest[(digits + 1)..];
            }
            else
            {
                // Not a marker after all: keep it as it is.
                source = source[keep..];
                var copy = marker.Length - 2;
                source[..copy].CopyTo(destination[written..]);
                written += copy;
                source = source[copy..];
            }
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask WriteRewrittenAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        var rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var length = Rewrite(buffer.Span, rented);
            await inner.WriteAsync(rented.AsMemory(0, length), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
