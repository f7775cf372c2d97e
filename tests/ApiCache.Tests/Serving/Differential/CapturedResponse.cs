using System.IO.Compression;
using System.Net.Http.Headers;

namespace ApiCache.Tests.Serving.Differential;

/// <summary>
/// One side's answer as the differential run compares it: status, the headers (all of them but
/// <c>Date</c>; <c>Audit-Id</c> only as present or not, its value is random), the framing
/// (<c>Content-Length</c> or chunked), and the body decoded from gzip when it was sent gzipped, with
/// its volatile values normalised (<see cref="VolatileValues"/>).
/// </summary>
internal sealed class CapturedResponse
{
    private CapturedResponse(int status, SortedDictionary<string, string> headers, byte[] body, byte[] normalized, string? continueToken)
    {
        Status = status;
        Headers = headers;
        Body = body;
        Normalized = normalized;
        ContinueToken = continueToken;
    }

    /// <summary>The status code.</summary>
    public int Status { get; }

    /// <summary>The compared headers by lower-case name (values joined with ", "), framing included.</summary>
    public SortedDictionary<string, string> Headers { get; }

    /// <summary>The body (decompressed when gzipped).</summary>
    public byte[] Body { get; }

    /// <summary>The body with its volatile values substituted: what is compared.</summary>
    public byte[] Normalized { get; }

    /// <summary>The list's continue token (raw), when it has one.</summary>
    public string? ContinueToken { get; }

    /// <summary>Reads the whole answer.</summary>
    public static async Task<CapturedResponse> ReadAsync(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var wire = await response.Content.ReadAsByteArrayAsync();
        var gzipped = response.Content.Headers.ContentEncoding.Contains("gzip");
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Add(headers, response.Headers, gzipped);
        Add(headers, response.Content.Headers, gzipped);
        headers["(framing)"] = response.Headers.TransferEncodingChunked == true ? "chunked"
            : response.Content.Headers.ContentLength is not null ? "content-length" : "none";
        var body = gzipped ? Gunzip(wire) : wire;
        var normalized = VolatileValues.Normalize(body, out var token);
        return new CapturedResponse((int)response.StatusCode, headers, body, normalized, token);
    }

    private static void Add(SortedDictionary<string, string> headers, HttpHeaders source, bool gzipped)
    {
        foreach (var (name, values) in source.NonValidated)
        {
            var key = name.ToLowerInvariant();
            switch (key)
            {
                case "date":
                case "transfer-encoding":
                    continue;
                case "audit-id":
                    headers[key] = "(present)";
                    continue;
                case "content-length" when gzipped:
                    headers[key] = "(compressed size)";
                    continue;
                default:
                    headers[key] = string.Join(", ", values);
                    continue;
            }
        }
    }

    private static byte[] Gunzip(byte[] wire)
    {
        using var input = new GZipStream(new MemoryStream(wire), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
