using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace ApiCache.Storage;

/// <summary>
/// Reads a resourceVersion from upstream JSON (an object's <c>metadata.resourceVersion</c>, a list's,
/// a bookmark's): a string of decimal digits, no sign or spaces, as an integer. One rule for the
/// decoder, the list reader and the watch reader.
/// </summary>
internal static class ResourceVersionText
{
    /// <summary>Parses the JSON string token the reader is on; false when it is not decimal digits.</summary>
    public static bool TryRead(ref Utf8JsonReader reader, out long resourceVersion)
    {
        if (reader.ValueIsEscaped)
        {
            // Escaped digits are legal JSON, if odd; unescape (rare) and parse the text.
            return long.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out resourceVersion);
        }

        return TryParse(reader.ValueSpan, out resourceVersion);
    }

    /// <summary>Parses UTF-8 decimal digits (no sign, no spaces) as a non-negative integer.</summary>
    public static bool TryParse(ReadOnlySpan<byte> digits, out long resourceVersion)
    {
        resourceVersion = 0;
        return digits.Length > 0 && digits[0] is >= (byte)'0' and <= (byte)'9'
            && Utf8Parser.TryParse(digits, out resourceVersion, out var consumed) && consumed == digits.Length;
    }
}
