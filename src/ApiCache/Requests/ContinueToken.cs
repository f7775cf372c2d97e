using System.Buffers.Text;
using System.Text.Json;

namespace ApiCache.Requests;

/// <summary>
/// The apiserver's continue token: unpadded base64url of
/// <c>{"v":"meta.k8s.io/v1","rv":249,"start":"team-a/db-0\u0000"}</c>. <c>rv</c> pins the list's
/// revision (-1: go on at the latest one); <c>start</c> is the first key to read, relative to the
/// collection's key prefix (etcd-served tokens have no leading '/', cache-served ones do; both decode).
/// </summary>
/// <param name="ResourceVersion">The pinned revision, or -1.</param>
/// <param name="Start">The first key to read, relative to the collection prefix, without a leading '/'.</param>
internal sealed record ContinueToken(long ResourceVersion, string Start)
{
    private const string Version = "meta.k8s.io/v1";

    /// <summary>The token that continues after <paramref name="lastKey"/> (relative), at <paramref name="resourceVersion"/>.</summary>
    public static ContinueToken After(long resourceVersion, string lastKey, bool leadingSlash = false) =>
        new(resourceVersion, (leadingSlash ? "/" : "") + lastKey + "\0");

    /// <summary>Encodes the token as the apiserver does.</summary>
    public string Encode()
    {
        var json = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("v"u8, Version);
            writer.WriteNumber("rv"u8, ResourceVersion);
            writer.WriteString("start"u8, Start);
            writer.WriteEndObject();
        }

        return Base64Url.EncodeToString(json.WrittenSpan);
    }

    /// <summary>
    /// Decodes a token; on failure returns null and the apiserver's message
    /// (<c>invalid continue token: continue key is not valid: ...</c>).
    /// </summary>
    public static ContinueToken? Decode(string token, out string? error)
    {
        error = null;
        for (var i = 0; i < token.Length; i++)
        {
            var c = token[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_') || (i == token.Length - 1 && token.Length % 4 == 1))
            {
                error = Invalid($"illegal base64 data at input byte {i}");
                return null;
            }
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token);
        }
        catch (FormatException)
        {
            error = Invalid("illegal base64 data at input byte 0");
            return null;
        }

        string? version = null;
        long? rv = null;
        string? start = null;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "v": version = property.Value.GetString(); break;
                    case "rv": rv = property.Value.GetInt64(); break;
                    case "start": start = property.Value.GetString(); break;
                    default: break;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            error = Invalid("invalid character in continue token JSON");
            return null;
        }

        if (version != Version)
        {
            error = Invalid($"server does not recognize this encoded version {version}");
            return null;
        }

        if (rv is null or 0)
        {
            error = Invalid($"incorrect encoded start resourceVersion (version {Version})");
            return null;
        }

        start ??= "";
        start = start.TrimStart('/');
        if (start.Length == 0 || start.Split('/').Any(segment => segment is "." or ".."))
        {
            error = Invalid("incorrect encoded start key");
            return null;
        }

        return new ContinueToken(rv.Value, start);
    }

    /// <summary>
    /// The continue token of a LIST, checked as the apiserver checks it: false and its 400 when the
    /// request also sets resourceVersion or the token does not decode; true with null when the LIST
    /// has no continue token.
    /// </summary>
    public static bool TryFromListOptions(ListOptions options, out ContinueToken? token, out Serving.StatusError? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        token = null;
        error = null;
        if (options.Continue is null)
        {
            return true;
        }

        if (options.ResourceVersion is not null)
        {
            error = Serving.StatusError.BadRequest("specifying resource version is not allowed when using continue");
            return false;
        }

        token = Decode(options.Continue, out var message);
        if (token is null)
        {
            error = Serving.StatusError.BadRequest(message!);
            return false;
        }

        return true;
    }

    private static string Invalid(string detail) => "invalid continue token: continue key is not valid: " + detail;
}
