using System.Buffers.Binary;
using Google.Protobuf;

namespace ApiCache.Consistency.Etcd;

/// <summary>
/// gRPC's message framing over HTTP/2 (the "Length-Prefixed-Message" of the gRPC protocol): a
/// compressed flag byte (always 0 here: no compression is offered or accepted), the payload length
/// as 4 bytes big-endian, then the protobuf payload.
/// </summary>
internal static class GrpcFraming
{
    /// <summary>The flag byte and the length.</summary>
    public const int HeaderLength = 5;

    /// <summary>The content type of gRPC requests and answers.</summary>
    public const string ContentType = "application/grpc";

    /// <summary>Serializes <paramref name="message"/> as one frame.</summary>
    public static byte[] Frame(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var size = message.CalculateSize();
        var frame = new byte[HeaderLength + size];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1, 4), (uint)size);
        message.WriteTo(frame.AsSpan(HeaderLength));
        return frame;
    }
}
