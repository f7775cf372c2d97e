using System.Buffers;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Api;

/// <summary>
/// Writes JSON answers the way kube-apiserver does: compact with a trailing newline, or indented
/// without one for <c>?pretty=true</c> and curl/Wget/browser User-Agents; Cache-Control
/// <c>no-cache, private</c>; Content-Length below 2 KiB and chunked above, as the recorded
/// responses show.
/// </summary>
internal static class ApiResponses
{
    /// <summary>The apiserver switches to chunked encoding for bodies of this size and more.</summary>
    private const int ChunkedThreshold = 2048;

    /// <summary>True when the answer is to be indented (<c>pretty</c> query parameter or a human's client).</summary>
    public static bool WantsPretty(HttpRequest request) => JsonResponseBody.WantsPretty(request);

    /// <summary>
    /// Writes a compact JSON document (without a trailing newline): followed by '\n', or indented
    /// when the client wants that.
    /// </summary>
    public static async Task WriteJsonAsync(HttpContext context, int statusCode, ReadOnlyMemory<byte> json, string contentType = "application/json")
    {
        var response = context.Response;
        var body = WantsPretty(context.Request) ? Indent(json.Span) : WithNewline(json.Span);
        response.StatusCode = statusCode;
        response.Headers.CacheControl = "no-cache, private";
        response.ContentType = contentType;
        if (body.Length < ChunkedThreshold)
        {
            response.ContentLength = body.Length;
        }

        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>Answers with a Status error; <paramref name="indented"/> for the few errors the apiserver always indents (406).</summary>
    public static async Task WriteErrorAsync(HttpContext context, StatusError error, bool indented = false)
    {
        if (!indented)
        {
            await StatusWriter.WriteAsync(context.Response, error, context.RequestAborted);
            return;
        }

        var compact = StatusWriter.ToBytes(error);
        var body = Indent(compact.AsSpan(0, compact.Length - 1));
        var response = context.Response;
        response.StatusCode = error.Code;
        response.Headers.CacheControl = "no-cache, private";
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static byte[] WithNewline(ReadOnlySpan<byte> json)
    {
        var body = new byte[json.Length + 1];
        json.CopyTo(body);
        body[^1] = (byte)'\n';
        return body;
    }

    /// <summary>Go's json.Indent with two spaces, no trailing newline.</summary>
    private static ReadOnlyMemory<byte> Indent(ReadOnlySpan<byte> compact)
    {
        var buffer = new ArrayBufferWriter<byte>(compact.Length * 2);
        new JsonIndenter().Write(compact, buffer);
        return buffer.WrittenMemory;
    }
}
