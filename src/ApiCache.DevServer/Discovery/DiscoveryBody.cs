namespace ApiCache.DevServer.Discovery;

/// <summary>A prebuilt response body with its media type and, for cacheable documents, its ETag (unquoted hash).</summary>
/// <param name="Content">The exact body bytes.</param>
/// <param name="ContentType">The Content-Type header value.</param>
/// <param name="ETag">The hash clients revalidate with (sent quoted), or null.</param>
internal sealed record DiscoveryBody(byte[] Content, string ContentType, string? ETag = null);
