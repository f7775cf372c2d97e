using System.Buffers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ApiCache.DevServer.Discovery;

/// <summary>
/// Shared JSON plumbing of the discovery documents: the apiserver's compact form (no spaces,
/// trailing newline), an encoder that leaves text as Go's encoder does, and the SHA-512 hashes
/// used as ETags and OpenAPI <c>?hash=</c> values.
/// </summary>
internal static class DiscoveryJson
{
    /// <summary>Leaves non-ASCII and '+' unescaped, as Go's encoder does (storageVersionHash holds '+' and '/').</summary>
    public static JavaScriptEncoder Encoder { get; } = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>Writes one compact JSON document, followed by <c>\n</c> when <paramref name="trailingNewline"/> (the apiserver's encoder adds it).</summary>
    public static byte[] Compact(Action<Utf8JsonWriter> write, bool trailingNewline = true)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Encoder }))
        {
            write(json);
        }

        if (trailingNewline)
        {
            buffer.Write("\n"u8);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes <c>"name":["a","b"]</c>.</summary>
    public static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    /// <summary>Upper-case hex SHA-512 of <paramref name="content"/>, the form of the apiserver's discovery ETags and OpenAPI hashes.</summary>
    public static string Hash(byte[] content) => Convert.ToHexString(SHA512.HashData(content));
}
