namespace ApiCache.DevServer.Etcd;

/// <summary><c>ResponseOp</c>: the answer to one <see cref="EtcdRequestOp"/>, in the same position.</summary>
internal sealed record EtcdResponseOp
{
    /// <summary>The answer to a read.</summary>
    public EtcdRangeResponse? ResponseRange { get; init; }

    /// <summary>The answer to a write.</summary>
    public EtcdPutResponse? ResponsePut { get; init; }

    /// <summary>The answer to a delete.</summary>
    public EtcdDeleteRangeResponse? ResponseDeleteRange { get; init; }
}
