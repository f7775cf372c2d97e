namespace ApiCache.Consistency.Etcd;

/// <summary>
/// One etcd gRPC call failed: the connection, the HTTP/2 exchange, the gRPC framing, or etcd's
/// answer (a non-zero <c>grpc-status</c>). <see cref="EtcdRevisionSource"/> turns it into a
/// <see cref="RevisionSourceUnavailableException"/> once no endpoint is left to try.
/// </summary>
internal sealed class EtcdRpcException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, naming the call and the endpoint.</param>
    /// <param name="grpcStatus">etcd's gRPC status code, when it answered one.</param>
    /// <param name="innerException">The transport failure, if any.</param>
    public EtcdRpcException(string message, int? grpcStatus = null, Exception? innerException = null)
        : base(message, innerException)
    {
        GrpcStatus = grpcStatus;
    }

    /// <summary>etcd's gRPC status code (e.g. 14, Unavailable); null when the call failed before etcd answered one.</summary>
    public int? GrpcStatus { get; }
}
