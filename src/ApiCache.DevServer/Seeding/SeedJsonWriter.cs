using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace ApiCache.DevServer.Seeding;

/// <summary>
/// One reusable JSON writer over one reusable buffer, so generating an object allocates only its
/// final byte array; plus the value formats every generator needs (timestamps, uids, IPv4).
/// Not thread-safe.
/// </summary>
internal sealed class SeedJsonWriter
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    private readonly ArrayBufferWriter<byte> _buffer = new(8 * 1024);

    /// <summary>Creates the writer.</summary>
    public SeedJsonWriter() => Json = new Utf8JsonWriter(_buffer, WriterOptions);

    /// <summary>The JSON writer; valid between <see cref="Begin"/> and <see cref="Finish"/>.</summary>
    public Utf8JsonWriter Json { get; }

    /// <summary>
    /// Starts an object and writes its <c>kind</c> and <c>apiVersion</c>, the apiserver's first two
    /// members, then opens <c>metadata</c> with its <c>name</c>.
    /// </summary>
    public void Begin(ReadOnlySpan<byte> kind, ReadOnlySpan<byte> apiVersion, string name)
    {
        _buffer.ResetWrittenCount();
        Json.Reset(_buffer);
        Json.WriteStartObject();
        Json.WriteString("kind"u8, kind);
        Json.WriteString("apiVersion"u8, apiVersion);
        Json.WriteStartObject("metadata"u8);
        Json.WriteString("name"u8, name);
    }

    /// <summary>Closes the object and returns its bytes (a new array; the buffer is reused).</summary>
    public byte[] Finish()
    {
        Json.WriteEndObject();
        Json.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes a timestamp the way the apiserver does: RFC 3339, UTC, second precision.</summary>
    public void WriteTime(ReadOnlySpan<byte> property, DateTime utc)
    {
        Span<byte> text = stackalloc byte[20];
        utc.TryFormat(text, out var written, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);
        Json.WriteString(property, text[..written]);
    }

    /// <summary>Writes a random UUID drawn from <paramref name="random"/>.</summary>
    public void WriteUid(ReadOnlySpan<byte> property, SeedRandom random)
    {
        Span<byte> uid = stackalloc byte[36];
        random.FillUid(uid);
        Json.WriteString(property, uid);
    }

    /// <summary>Writes <paramref name="prefix"/> followed by <paramref name="hexDigits"/> random hex digits.</summary>
    public void WriteRandomHex(ReadOnlySpan<byte> property, ReadOnlySpan<byte> prefix, int hexDigits, SeedRandom random)
    {
        Span<byte> text = stackalloc byte[prefix.Length + hexDigits];
        prefix.CopyTo(text);
        random.FillHex(text[prefix.Length..]);
        Json.WriteString(property, text);
    }

    /// <summary>Writes an IPv4 address (as a JSON string value, or as a property when <paramref name="property"/> is not empty).</summary>
    public void WriteAddress(ReadOnlySpan<byte> property, uint address, ReadOnlySpan<byte> suffix = default)
    {
        Span<byte> text = stackalloc byte[15 + suffix.Length];
        var length = FormatAddress(address, text);
        suffix.CopyTo(text[length..]);
        length += suffix.Length;
        if (property.IsEmpty)
        {
            Json.WriteStringValue(text[..length]);
        }
        else
        {
            Json.WriteString(property, text[..length]);
        }
    }

    /// <summary>Writes a dotted IPv4 address into <paramref name="destination"/>; returns its length.</summary>
    private static int FormatAddress(uint address, Span<byte> destination)
    {
        var length = 0;
        for (var shift = 24; shift >= 0; shift -= 8)
        {
            ((address >> shift) & 0xFF).TryFormat(destination[length..], out var written, provider: CultureInfo.InvariantCulture);
            length += written;
            if (shift > 0)
            {
                destination[length++] = (byte)'.';
            }
        }

        return length;
    }
}
