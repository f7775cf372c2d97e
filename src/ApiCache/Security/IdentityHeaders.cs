using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Security;

/// <summary>
/// The request headers that carry an identity: the apiserver's impersonation headers
/// (<c>Impersonate-User</c>, <c>-Uid</c>, <c>-Group</c>, <c>-Extra-&lt;key&gt;</c>) and the front-proxy
/// (request-header authentication) headers (<c>X-Remote-User</c>, <c>-Group</c>, <c>-Extra-&lt;key&gt;</c>).
/// Extra keys travel in header names, percent-encoded as client-go does it: every byte that is not
/// an HTTP token character, and <c>%</c> itself, becomes <c>%XX</c> (upper-case hex); the receiver
/// lower-cases and percent-decodes them.
/// </summary>
internal static class IdentityHeaders
{
    /// <summary>Every impersonation header starts with this.</summary>
    public const string ImpersonatePrefix = "Impersonate-";

    /// <summary>The user to act as.</summary>
    public const string ImpersonateUser = "Impersonate-User";

    /// <summary>The uid to act as.</summary>
    public const string ImpersonateUid = "Impersonate-Uid";

    /// <summary>A group to act as (one header line per group).</summary>
    public const string ImpersonateGroup = "Impersonate-Group";

    /// <summary>An extra attribute to act with: <c>Impersonate-Extra-&lt;key&gt;: value</c>.</summary>
    public const string ImpersonateExtraPrefix = "Impersonate-Extra-";

    /// <summary>Every front-proxy identity header starts with this.</summary>
    public const string RemotePrefix = "X-Remote-";

    /// <summary>The authenticated user, as the front proxy asserts it.</summary>
    public const string RemoteUser = "X-Remote-User";

    /// <summary>A group of the user (one header line per group).</summary>
    public const string RemoteGroup = "X-Remote-Group";

    /// <summary>An extra attribute: <c>X-Remote-Extra-&lt;key&gt;: value</c>.</summary>
    public const string RemoteExtraPrefix = "X-Remote-Extra-";

    /// <summary>Whether the request asks to impersonate anything.</summary>
    public static bool HasImpersonation(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        foreach (var header in headers)
        {
            if (header.Key.StartsWith(ImpersonatePrefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Removes every header whose name starts with <paramref name="prefix"/> (case-insensitive).</summary>
    public static void RemovePrefixed(IHeaderDictionary headers, string prefix)
    {
        ArgumentNullException.ThrowIfNull(headers);
        List<string>? names = null;
        foreach (var header in headers)
        {
            if (header.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                (names ??= []).Add(header.Key);
            }
        }

        foreach (var name in names ?? [])
        {
            headers.Remove(name);
        }
    }

    /// <summary>Removes every header whose name starts with <paramref name="prefix"/> (case-insensitive) from an outgoing request.</summary>
    public static void RemovePrefixed(System.Net.Http.Headers.HttpHeaders headers, string prefix)
    {
        ArgumentNullException.ThrowIfNull(headers);
        List<string>? names = null;
        foreach (var header in headers.NonValidated)
        {
            if (header.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                (names ??= []).Add(header.Key);
            }
        }

        foreach (var name in names ?? [])
        {
            headers.Remove(name);
        }
    }

    /// <summary>
    /// <paramref name="key"/> as it goes into a header name: bytes of its UTF-8 form that are not
    /// HTTP token characters, and <c>%</c>, percent-encoded with upper-case hex.
    /// </summary>
    public static string EscapeExtraKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var escaped = new StringBuilder(key.Length);
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            if (b != '%' && IsTokenByte(b))
            {
                escaped.Append((char)b);
            }
            else
            {
                escaped.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return escaped.ToString();
    }

    /// <summary>
    /// An extra key read from a header name (the part after the prefix): lower-cased, then
    /// percent-decoded; kept as it is when it is not valid percent-encoding (as the apiserver does).
    /// </summary>
    public static string UnescapeExtraKey(string encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var lower = encoded.ToLowerInvariant();
        if (!lower.Contains('%', StringComparison.Ordinal))
        {
            return lower;
        }

        // '%' and hex digits are ASCII, so decoding works on the UTF-8 bytes.
        var source = Encoding.UTF8.GetBytes(lower);
        var bytes = new List<byte>(source.Length);
        for (var i = 0; i < source.Length; i++)
        {
            if (source[i] != '%')
            {
                bytes.Add(source[i]);
                continue;
            }

            if (i + 2 >= source.Length || !byte.TryParse(Encoding.ASCII.GetString(source, i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                return lower;
            }

            bytes.Add(value);
            i += 2;
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <summary>RFC 7230 <c>tchar</c>: letters, digits and <c>!#$%&amp;'*+-.^_`|~</c>.</summary>
    private static bool IsTokenByte(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
        || "!#$%&'*+-.^_`|~".Contains((char)b, StringComparison.Ordinal);
}
