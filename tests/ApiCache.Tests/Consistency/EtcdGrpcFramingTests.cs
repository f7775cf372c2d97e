using ApiCache.Consistency.Etcd;
using ApiCache.Consistency.Etcd.Protocol;
using Google.Protobuf;

namespace ApiCache.Tests.Consistency;

/// <summary>gRPC framing of the etcd client, on the wire level, without etcd.</summary>
public sealed class EtcdGrpcFramingTests
{
    [Fact]
    public void Frame_Message_HasZeroFlagBigEndianLengthAndPayload()
    {
        var message = new RangeRequest { Key = ByteString.CopyFromUtf8("/registry/pods/"), CountOnly = true };

        var frame = GrpcFraming.Frame(message);

        var payload = message.ToByteArray();
        Assert.Equal(0, frame[0]);
        Assert.Equal(new byte[] { 0, 0, 0, (byte)payload.Length }, frame[1..5]);
        Assert.Equal(payload, frame[5..]);
    }

    [Fact]
    public async Task ReadMessageAsync_SeveralMessagesInOneRead_ReturnsEachInOrder()
    {
        var frames = Watches(3).Select(GrpcFraming.Frame).SelectMany(f => f).ToArray();
        var reader = new GrpcMessageReader(new ChunkedStream([frames]));

        var revisions = await ReadRevisionsAsync(reader);

        Assert.Equal([1L, 2L, 3L], revisions);
    }

    [Fact]
    public async Task ReadMessageAsync_FramesSplitAcrossReads_ReassemblesThem()
    {
        var bytes = Watches(3).Select(GrpcFraming.Frame).SelectMany(f => f).ToArray();

        // Cut inside the first header, inside a payload, and right at a frame boundary, then byte by byte.
        var firstLength = GrpcFraming.Frame(Watches(1).Single()).Length;
        var cuts = new[] { 2, firstLength - 3, firstLength, firstLength + 1 };
        var chunks = new List<byte[]>();
        var at = 0;
        foreach (var cut in cuts)
        {
            chunks.Add(bytes[at..cut]);
            at = cut;
        }

        chunks.AddRange(bytes[at..].Select(b => new[] { b }));
        var reader = new GrpcMessageReader(new ChunkedStream(chunks));

        var revisions = await ReadRevisionsAsync(reader);

        Assert.Equal([1L, 2L, 3L], revisions);
    }

    [Fact]
    public async Task ReadMessageAsync_MessageLargerThanBuffer_GrowsTheBuffer()
    {
        var big = new WatchResponse { CancelReason = new string('x', 100_000) };
        var bytes = GrpcFraming.Frame(big).Concat(GrpcFraming.Frame(Watches(1).Single())).ToArray();
        var reader = new GrpcMessageReader(new ChunkedStream(bytes.Chunk(4096).ToList()), initialBufferBytes: 64);

        var first = await reader.ReadMessageAsync(CancellationToken.None);
        Assert.Equal(big.CancelReason, WatchResponse.Parser.ParseFrom(first!.Value.Span).CancelReason);
        var second = await reader.ReadMessageAsync(CancellationToken.None);

        Assert.Equal(1, WatchResponse.Parser.ParseFrom(second!.Value.Span).Header.Revision);
        Assert.Null(await reader.ReadMessageAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ReadMessageAsync_EmptyMessage_ReturnsEmptyPayload()
    {
        var reader = new GrpcMessageReader(new ChunkedStream([GrpcFraming.Frame(new WatchProgressRequest())]));

        var payload = await reader.ReadMessageAsync(CancellationToken.None);

        Assert.NotNull(payload);
        Assert.Equal(0, payload.Value.Length);
        Assert.Null(await reader.ReadMessageAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ReadMessageAsync_StreamEndsInsideMessage_Throws()
    {
        var frame = GrpcFraming.Frame(Watches(1).Single());
        var reader = new GrpcMessageReader(new ChunkedStream([frame[..^1]]));

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadMessageAsync(CancellationToken.None));

        Assert.Contains("ended inside a message", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadMessageAsync_StreamEndsInsideHeader_Throws()
    {
        var reader = new GrpcMessageReader(new ChunkedStream([[0, 0, 0]]));

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadMessageAsync(CancellationToken.None));

        Assert.Contains("inside a message header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadMessageAsync_CompressedFlag_Throws()
    {
        var frame = GrpcFraming.Frame(Watches(1).Single());
        frame[0] = 1;
        var reader = new GrpcMessageReader(new ChunkedStream([frame]));

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadMessageAsync(CancellationToken.None));

        Assert.Contains("compressed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadMessageAsync_LengthOverLimit_ThrowsBeforeReadingIt()
    {
        var reader = new GrpcMessageReader(new ChunkedStream([[0, 0, 0, 4, 1]]), maxMessageBytes: 1000);

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadMessageAsync(CancellationToken.None));

        Assert.Contains("1025-byte message, over the 1000-byte limit", error.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<WatchResponse> Watches(int count) =>
        Enumerable.Range(1, count).Select(i => new WatchResponse
        {
            Header = new ResponseHeader { Revision = i },
            Events = { new Event { Kv = new KeyValue { Key = ByteString.CopyFromUtf8("/registry/pods/default/p" + i), ModRevision = i } } },
        });

    private static async Task<List<long>> ReadRevisionsAsync(GrpcMessageReader reader)
    {
        var revisions = new List<long>();
        for (var i = 0; i < 100 && await reader.ReadMessageAsync(CancellationToken.None) is { } payload; i++)
        {
            revisions.Add(WatchResponse.Parser.ParseFrom(payload.Span).Events.Single().Kv.ModRevision);
        }

        return revisions;
    }

    /// <summary>A read-only stream that gives exactly one chunk per read (or less when the buffer is smaller).</summary>
    private sealed class ChunkedStream(IReadOnlyList<byte[]> chunks) : Stream
    {
        private int _chunk;
        private int _offset;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_chunk == chunks.Count)
            {
                return 0;
            }

            var chunk = chunks[_chunk];
            var count = Math.Min(buffer.Length, chunk.Length - _offset);
            chunk.AsSpan(_offset, count).CopyTo(buffer);
            _offset += count;
            if (_offset == chunk.Length)
            {
                _chunk++;
                _offset = 0;
            }

            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
