using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Serving;

/// <summary>
/// Writes a 200 JSON body the way kube-apiserver does, from pieces of compact JSON (a list's
/// head, each stored item, its tail) without re-serializing them: compact with a trailing
/// newline, or indented like Go's json.Indent (no newline) for <c>?pretty</c> and curl/Wget/browser
/// User-Agents; <c>Content-Length</c> below 2 KiB, chunked above; gzip (with
/// <c>Vary: Accept-Encoding</c>) when the client accepts it and the body exceeds 128 KiB, the 2 KiB
/// rule then applying to the compressed bytes, as Go's server does (fixture
/// 02-list-configmaps-team-b-over-128KiB-gzip: 128 KiB compressed to 873 bytes, sent with a
/// Content-Length). Large bodies stream to the client as they are written.
/// </summary>
internal sealed class JsonResponseBody
{
    /// <summary>Bodies shorter than this get a Content-Length; longer ones are chunked.</summary>
    public const int ChunkedThreshold = 2048;

    /// <summary>Bodies longer than this are gzipped for clients that accept it.</summary>
    public const int GzipThreshold = 128 * 1024;

    private const int FlushEvery = 64 * 1024;

    private readonly HttpContext _context;
    private readonly int _statusCode;
    private readonly bool _pretty;
    private readonly ArrayBufferWriter<byte>? _buffer;
    private readonly PipeWriter? _stream;
    private readonly GZipStream? _gzip;
    private JsonIndenter _indenter;

    private JsonResponseBody(HttpContext context, int statusCode, bool pretty, ArrayBufferWriter<byte>? buffer, PipeWriter? stream, GZipStream? gzip)
    {
        _context = context;
        _statusCode = statusCode;
        _pretty = pretty;
        _buffer = buffer;
        _stream = stream;
        _gzip = gzip;
    }

    /// <summary>
    /// Starts an answer (200 unless <paramref name="statusCode"/> says otherwise) whose compact body
    /// (without the trailing newline) will be <paramref name="compactLength"/> bytes long.
    /// </summary>
    public static JsonResponseBody Start(HttpContext context, long compactLength, int statusCode = StatusCodes.Status200OK)
    {
        ArgumentNullException.ThrowIfNull(context);
        var pretty = WantsPretty(context.Request);
        if (pretty || compactLength + 1 < ChunkedThreshold)
        {
            // Indented bodies are for people: built whole, then sized like any other body.
            return new JsonResponseBody(context, statusCode, pretty, new ArrayBufferWriter<byte>((int)Math.Min(compactLength * (pretty ? 2 : 1) + 16, int.MaxValue / 2)), null, null);
        }

        var response = context.Response;
        SetHeaders(response, statusCode);
        if (compactLength + 1 > GzipThreshold && AcceptsGzip(context.Request))
        {
            var gzip = StartGzip(response);
            return new JsonResponseBody(context, statusCode, false, null, PipeWriter.Create(gzip, new StreamPipeWriterOptions(leaveOpen: true)), gzip);
        }

        return new JsonResponseBody(context, statusCode, false, null, response.BodyWriter, null);
    }

    /// <summary>True when the answer is to be indented (<c>pretty</c> query parameter, or a human's client).</summary>
    public static bool WantsPretty(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pretty = request.Query["pretty"].ToString();
        if (pretty.Length > 0)
        {
            return pretty is "1" or "t" or "T" or "true" or "TRUE" or "True";
        }

        var agent = request.Headers.UserAgent.ToString();
        return agent.StartsWith("curl", StringComparison.Ordinal)
            || agent.StartsWith("Wget", StringComparison.Ordinal)
            || agent.StartsWith("Mozilla/5.0", StringComparison.Ordinal);
    }

    /// <summary>Writes a piece of the compact document.</summary>
    public void Write(ReadOnlySpan<byte> json)
    {
        IBufferWriter<byte> output = _buffer ?? (IBufferWriter<byte>)_stream!;
        if (_pretty)
        {
            _indenter.Write(json, output);
        }
        else
        {
            output.Write(json);
        }
    }

    /// <summary>Sends what has been written so far once enough has accumulated (a large list streams).</summary>
    public ValueTask FlushIfFullAsync()
    {
        if (_stream is not null && _stream.UnflushedBytes >= FlushEvery)
        {
            return FlushAsync();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Ends the body (the compact form's trailing newline) and sends it.</summary>
    public async Task CompleteAsync()
    {
        if (!_pretty)
        {
            Write("\n"u8);
        }

        if (_buffer is not null)
        {
            var response = _context.Response;
            SetHeaders(response, _statusCode);
            var body = _buffer.WrittenMemory;
            if (body.Length > GzipThreshold && AcceptsGzip(_context.Request))
            {
                await using (var gzip = StartGzip(response))
                {
                    await gzip.WriteAsync(body, _context.RequestAborted);
                }

                return;
            }

            if (body.Length < ChunkedThreshold)
            {
                response.ContentLength = body.Length;
            }

            await response.Body.WriteAsync(body, _context.RequestAborted);
            return;
        }

        await FlushAsync();
        if (_gzip is not null)
        {
            await _stream!.CompleteAsync();
            await _gzip.DisposeAsync(); // ends the gzip stream, and with it the body (sized when it stayed small)
        }
    }

    /// <summary>Go's apiserver compresses when one of the Accept-Encoding entries is exactly <c>gzip</c>.</summary>
    private static bool AcceptsGzip(HttpRequest request)
    {
        foreach (var header in request.Headers.AcceptEncoding)
        {
            foreach (var entry in (header ?? "").Split(','))
            {
                if (entry.Trim().Equals("gzip", StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Marks the response gzipped and returns the stream its body goes through (sized with Content-Length when it stays under 2 KiB).</summary>
    private static GZipStream StartGzip(HttpResponse response)
    {
        response.Headers.ContentEncoding = "gzip";
        response.Headers.Vary = "Accept-Encoding";
        return new GZipStream(new LengthDecidingStream(response, ChunkedThreshold), CompressionLevel.Fastest, leaveOpen: false);
    }

    private static void SetHeaders(HttpResponse response, int statusCode)
    {
        response.StatusCode = statusCode;
        CacheAnswer.SetAuditId(response);
        response.Headers.CacheControl = "no-cache, private";
        response.ContentType = "application/json";
    }

    private async ValueTask FlushAsync()
    {
        var result = await _stream!.FlushAsync(_context.RequestAborted);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException(_context.RequestAborted);
        }
    }
}
