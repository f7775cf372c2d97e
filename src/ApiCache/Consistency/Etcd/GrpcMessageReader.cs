using System.Buffers.Binary;

namespace ApiCache.Consistency.Etcd;

/// <summary>
/// Reads gRPC frames (see <see cref="GrpcFraming"/>) from a response body. Reads fill a buffer as
/// far as the stream gives, so one read may hold several messages and one message may span many
/// reads; a frame is returned only when complete. Not thread-safe: one reader per stream.
/// </summary>
internal sealed class GrpcMessageReader
{
    /// <summary>
    /// The largest message accepted by default. etcd splits watch answers into fragments near its
    /// request size limit (1.5 MiB by default, rarely raised past a few MiB), so 64 MiB only guards
    /// against a broken stream.
    /// </summary>
    public const int DefaultMaxMessageBytes = 64 * 1024 * 1024;

    private readonly Stream _stream;
    private readonly int _maxMessageBytes;
    private byte[] _buffer;
    private int _start;
    private int _end;

    /// <summary>Creates a reader of <paramref name="stream"/>.</summary>
    /// <param name="stream">The response body.</param>
    /// <param name="maxMessageBytes">The largest payload accepted.</param>
    /// <param name="initialBufferBytes">The buffer's first size; it grows to fit larger messages.</param>
    public GrpcMessageReader(Stream stream, int maxMessageBytes = DefaultMaxMessageBytes, int initialBufferBytes = 16 * 1024)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialBufferBytes, GrpcFraming.HeaderLength);
        _stream = stream;
        _maxMessageBytes = maxMessageBytes;
        _buffer = new byte[initialBufferBytes];
    }

    /// <summary>
    /// The next message's payload, valid until the next call; null when the stream ends between
    /// messages. Throws <see cref="InvalidDataException"/> for a stream that ends inside a frame, a
    /// compressed frame, or one larger than the limit.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(GrpcFraming.HeaderLength, cancellationToken))
        {
            return _end == _start
                ? null
                : throw new InvalidDataException($"the gRPC stream ended inside a message header ({_end - _start} of {GrpcFraming.HeaderLength} bytes)");
        }

        var flag = _buffer[_start];
        if (flag != 0)
        {
            throw new InvalidDataException(flag == 1
                ? "the gRPC stream sent a compressed message, though no compression was offered"
                : $"the gRPC stream sent a message with flag byte {flag}");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start + 1, 4));
        if (length > (uint)_maxMessageBytes)
        {
            throw new InvalidDataException($"the gRPC stream sent a {length}-byte message, over the {_maxMessageBytes}-byte limit");
        }

        var frameLength = GrpcFraming.HeaderLength + (int)length;
        if (!await FillAsync(frameLength, cancellationToken))
        {
            throw new InvalidDataException($"the gRPC stream ended inside a message ({_end - _start - GrpcFraming.HeaderLength} of {length} bytes)");
        }

        var payload = _buffer.AsMemory(_start + GrpcFraming.HeaderLength, (int)length);
        _start += frameLength;
        return payload;
    }

    /// <summary>Makes at least <paramref name="count"/> unread bytes available; false when the stream ends first.</summary>
    private async ValueTask<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        if (_end - _start >= count)
        {
            return true;
        }

        if (_buffer.Length - _start < count)
        {
            // Keep the unread bytes at the front, in a larger buffer when the frame needs it.
            var target = count > _buffer.Length ? new byte[Math.Max(count, Math.Min(_buffer.Length * 2, GrpcFraming.HeaderLength + _maxMessageBytes))] : _buffer;
            Buffer.BlockCopy(_buffer, _start, target, 0, _end - _start);
            _buffer = target;
            _end -= _start;
            _start = 0;
        }

        // Each read adds at least one byte, and the buffer has room for count bytes: bounded by count reads.
        while (_end - _start < count)
        {
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                return false;
            }

            _end += read;
        }

        return true;
    }
}
