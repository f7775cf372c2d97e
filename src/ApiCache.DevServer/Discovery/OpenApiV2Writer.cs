using System.Text;

namespace ApiCache.DevServer.Discovery;

/// <summary>
/// A minimal Swagger 2.0 document (no paths, no definitions) for <c>/openapi/v2</c>, in JSON and
/// in the protobuf encoding client-go asks for (gnostic's <c>openapi.v2.Document</c>). kubectl 1.27
/// loads this document before every create/apply and fails when it is missing; it then finds
/// no schema in it, so it relies on the v3 documents (server-side field validation) and on its
/// compiled-in types for strategic merge patches. Newer kubectl versions do not fetch it.
/// </summary>
internal static class OpenApiV2Writer
{
    /// <summary>The media type client-go sends in Accept (not a valid MIME token: Go's mime parser rejects the '@').</summary>
    public const string ProtobufAccept = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

    /// <summary>The Content-Type of the protobuf answer; the apiserver spells it with a dot so that clients can parse it.</summary>
    public const string ProtobufContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    private const string Title = "Kubernetes";

    /// <summary><c>{"swagger":"2.0","info":{...},"paths":{},"definitions":{}}</c>.</summary>
    public static byte[] Json(string version) => DiscoveryJson.Compact(
        json =>
        {
            json.WriteStartObject();
            json.WriteString("swagger", "2.0");
            json.WriteStartObject("info");
            json.WriteString("title", Title);
            json.WriteString("version", version);
            json.WriteEndObject();
            json.WriteStartObject("paths");
            json.WriteEndObject();
            json.WriteStartObject("definitions");
            json.WriteEndObject();
            json.WriteEndObject();
        },
        trailingNewline: false);

    /// <summary>
    /// The same document as protobuf: Document.swagger (1), Document.info (2) with Info.title (1)
    /// and Info.version (2), and empty Document.paths (8) and Document.definitions (9).
    /// </summary>
    public static byte[] Protobuf(string version)
    {
        var info = new List<byte>();
        WriteString(info, 1, Title);
        WriteString(info, 2, version);

        var document = new List<byte>();
        WriteString(document, 1, "2.0");
        WriteBytes(document, 2, [.. info]);
        WriteBytes(document, 8, []);
        WriteBytes(document, 9, []);
        return [.. document];
    }

    private static void WriteString(List<byte> output, int field, string value) => WriteBytes(output, field, Encoding.UTF8.GetBytes(value));

    /// <summary>A length-delimited field (wire type 2): key, varint length, bytes.</summary>
    private static void WriteBytes(List<byte> output, int field, byte[] value)
    {
        WriteVarint(output, (ulong)((field << 3) | 2));
        WriteVarint(output, (ulong)value.Length);
        output.AddRange(value);
    }

    private static void WriteVarint(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }

        output.Add((byte)value);
    }
}
