using System.Text.Json;

namespace ApiCache.DevServer.Etcd;

/// <summary>
/// An etcd call failed: etcd answered with an error (<see cref="HttpStatus"/> and the gRPC
/// <see cref="GrpcCode"/> of the gateway's error body), or gave no usable answer (connection
/// failure, time-out, unreadable body: <see cref="HttpStatus"/> is null).
/// </summary>
internal sealed class EtcdException : Exception
{
    /// <summary>Creates the exception; <paramref name="etcdMessage"/> is etcd's own error text, when it answered.</summary>
    public EtcdException(string message, string? etcdMessage = null, int? httpStatus = null, int? grpcCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        EtcdMessage = etcdMessage;
        HttpStatus = httpStatus;
        GrpcCode = grpcCode;
    }

    /// <summary>etcd's error text, e.g. <c>etcdserver: mvcc: required revision has been compacted</c>; null without an answer.</summary>
    public string? EtcdMessage { get; }

    /// <summary>The HTTP status of the answer; null when there was no answer.</summary>
    public int? HttpStatus { get; }

    /// <summary>The gRPC status code of the error body (11 = OutOfRange, 14 = Unavailable...), when present.</summary>
    public int? GrpcCode { get; }

    /// <summary>A read, watch or compaction asked for a revision older than the compacted revision.</summary>
    public bool IsRevisionCompacted => EtcdMessage?.Contains("required revision has been compacted", StringComparison.Ordinal) == true;

    /// <summary>A read or compaction asked for a revision newer than the store's revision.</summary>
    public bool IsFutureRevision => EtcdMessage?.Contains("required revision is a future revision", StringComparison.Ordinal) == true;

    /// <summary>
    /// Reads the gateway's error body: <c>{"error":"...","message":"...","code":11}</c> for unary calls,
    /// <c>{"grpc_code":14,"http_code":503,"message":"..."}</c> inside a watch stream's <c>error</c>.
    /// </summary>
    public static EtcdException FromErrorBody(string operation, int? httpStatus, JsonElement body)
    {
        string? text = null;
        int? code = null;
        if (body.ValueKind == JsonValueKind.Object)
        {
            text = GetString(body, "message") ?? GetString(body, "error");
            code = GetInt(body, "code") ?? GetInt(body, "grpc_code");
            httpStatus ??= GetInt(body, "http_code");
        }

        text ??= body.ValueKind == JsonValueKind.String ? body.GetString() : body.GetRawText();
        return new EtcdException($"etcd {operation} failed ({Describe(httpStatus, code)}): {text}", text, httpStatus, code);
    }

    /// <summary>Reads an error answer's body bytes; falls back to the raw text when it is not JSON.</summary>
    public static EtcdException FromErrorBody(string operation, int httpStatus, byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return FromErrorBody(operation, httpStatus, document.RootElement);
        }
        catch (JsonException)
        {
            var text = System.Text.Encoding.UTF8.GetString(body).Trim();
            return new EtcdException($"etcd {operation} failed (HTTP {httpStatus}): {text}", text, httpStatus);
        }
    }

    private static string Describe(int? httpStatus, int? code) =>
        (httpStatus, code) switch
        {
            ({ } h, { } c) => $"HTTP {h}, gRPC code {c}",
            ({ } h, null) => $"HTTP {h}",
            (null, { } c) => $"gRPC code {c}",
            _ => "no status",
        };

    private static string? GetString(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? GetInt(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;
}
