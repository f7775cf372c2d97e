namespace ApiCache.DevServer.Etcd;

/// <summary><c>RequestOp</c>: one operation of a transaction branch; exactly one property is set.</summary>
internal sealed record EtcdRequestOp
{
    /// <summary>A read.</summary>
    public EtcdRangeRequest? RequestRange { get; init; }

    /// <summary>A write.</summary>
    public EtcdPutRequest? RequestPut { get; init; }

    /// <summary>A delete.</summary>
    public EtcdDeleteRangeRequest? RequestDeleteRange { get; init; }
}
