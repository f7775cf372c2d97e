using System.Buffers;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Api;

/// <summary>
/// Writes JSON answers the way kube-apiserver does, through ApiCache's own writer
/// (<see cref="JsonResponseBody"/>): compact with a trailing newline, or indented like Go's
/// json.Indent without one for <c>?pretty=true</c> and curl/Wget/browser User-Agents; Cache-Control
/// <c>no-cache, private</c>; Content-Length below 2 KiB and chunked above; gzip above 128 KiB when
/// the client accepts it — as the recorded responses show.
/// </summary>
internal static class ApiResponses
{
    /// <summary>Writes a compact JSON document (without a trailing newline) as the answer.</summary>
    public static async Task WriteJsonAsync(HttpContext context, int statusCode, ReadOnlyMemory<byte> json)
    {
        var body = JsonResponseBody.Start(context, json.Length, statusCode);
        body.Write(json.Span);
        await body.CompleteAsync();
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
        var body = new ArrayBufferWriter<byte>(compact.Length * 2);
        var indenter = default(JsonIndenter);
        indenter.Write(compact.AsSpan(0, compact.Length - 1), body);
        var response = context.Response;
        response.StatusCode = error.Code;
        response.Headers.CacheControl = "no-cache, private";
        response.ContentType = "application/json";
        response.ContentLength = body.WrittenCount;
        await response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted);
    }
}
