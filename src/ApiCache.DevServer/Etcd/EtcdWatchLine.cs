using System.Text.Json;

namespace ApiCache.DevServer.Etcd;

/// <summary>One line of the gateway's streamed watch answer: <c>{"result":{...}}</c> or <c>{"error":{...}}</c>.</summary>
internal sealed record EtcdWatchLine
{
    /// <summary>The watch message.</summary>
    public EtcdWatchResponse? Result { get; init; }

    /// <summary>A stream error (<c>grpc_code</c>, <c>http_code</c>, <c>message</c>).</summary>
    public JsonElement? Error { get; init; }
}
