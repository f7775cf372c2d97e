using System.Text.Json.Serialization;

namespace ApiCache.DevServer.Etcd;

/// <summary>
/// Source-generated JSON for the etcd v3 gateway: snake_case names, bytes as base64 (System.Text.Json's
/// default for byte[]), int64 as strings (the proto3 JSON mapping), nulls omitted.
/// </summary>
/// <remarks>
/// The gateway omits default values (an empty list, a delete event's value). The generated code sets
/// every init-only property, absent ones to null, so the answer types' init accessors turn null back
/// into the empty default.
/// </remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(EtcdRangeRequest))]
[JsonSerializable(typeof(EtcdRangeResponse))]
[JsonSerializable(typeof(EtcdTxnRequest))]
[JsonSerializable(typeof(EtcdTxnResponse))]
[JsonSerializable(typeof(EtcdCompactionRequest))]
[JsonSerializable(typeof(EtcdStatusResponse))]
[JsonSerializable(typeof(EtcdWatchRequest))]
[JsonSerializable(typeof(EtcdWatchLine))]
internal sealed partial class EtcdJsonContext : JsonSerializerContext
{
}
