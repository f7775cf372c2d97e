using System.Buffers;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Api;

/// <summary>Reads a request body with the apiserver's size limit (3 MiB; 413 above it).</summary>
internal static class RequestBody
{
    /// <summary>The apiserver's default --max-request-bytes for JSON bodies.</summary>
    public const int MaxBytes = 3 * 1024 * 1024;

    /// <summary>The body bytes, or null and the 413 error when it is too large.</summary>
    public static async Task<(byte[]? Body, StatusError? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                return (buffer.WrittenSpan.ToArray(), null);
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBytes)
            {
                return (null, new StatusError(413, "RequestEntityTooLarge", $"Request entity too large: limit is {MaxBytes}"));
            }
        }
    }
}
