namespace ApiCache.DevServer.Etcd;

/// <summary>
/// <c>TxnRequest</c>: if every <see cref="Compare"/> holds, runs <see cref="Success"/>, otherwise
/// <see cref="Failure"/>, atomically at one revision. etcd refuses more than 128 operations per
/// branch by default (<c>--max-txn-ops</c>).
/// </summary>
internal sealed record EtcdTxnRequest
{
    /// <summary>The conditions (all must hold); empty always succeeds.</summary>
    public IReadOnlyList<EtcdCompare> Compare { get; init; } = [];

    /// <summary>The operations run when the conditions hold.</summary>
    public IReadOnlyList<EtcdRequestOp> Success { get; init; } = [];

    /// <summary>The operations run otherwise.</summary>
    public IReadOnlyList<EtcdRequestOp> Failure { get; init; } = [];
}
