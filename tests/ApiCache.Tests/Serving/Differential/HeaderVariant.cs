namespace ApiCache.Tests.Serving.Differential;

/// <summary>How a client asks (Accept, User-Agent, Accept-Encoding), the way real clients do.</summary>
internal enum HeaderVariant
{
    /// <summary><c>Accept: application/json</c> and a client-go style User-Agent.</summary>
    Json,

    /// <summary>No Accept header at all.</summary>
    NoAccept,

    /// <summary>A kubelet: <c>application/vnd.kubernetes.protobuf, application/json</c> (JSON is an acceptable answer).</summary>
    Kubelet,

    /// <summary>client-go for CRDs: <c>application/json, */*</c>.</summary>
    JsonAndAny,

    /// <summary>kubectl get: Table (v1, then v1beta1), then plain JSON; the proxy must forward it.</summary>
    KubectlTable,

    /// <summary>A Table only; the proxy must forward it.</summary>
    TableOnly,

    /// <summary>Protobuf only; the proxy must forward it.</summary>
    ProtobufOnly,

    /// <summary>curl's User-Agent: the answer is indented.</summary>
    Curl,

    /// <summary><c>Accept-Encoding: gzip</c>: bodies over 128 KiB come compressed.</summary>
    Gzip,
}
