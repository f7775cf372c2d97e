namespace ApiCache.DevServer.Etcd;

/// <summary><c>TxnResponse</c>: which branch ran, and the answers of its operations.</summary>
internal sealed record EtcdTxnResponse
{
    /// <summary>The header (the store revision after the transaction).</summary>
    public EtcdResponseHeader Header { get; init => field = value ?? new(); } = new();

    /// <summary>True when the conditions held and the success branch ran.</summary>
    public bool Succeeded { get; init; }

    /// <summary>One answer per operation of the branch that ran.</summary>
    public IReadOnlyList<EtcdResponseOp> Responses { get; init => field = value ?? []; } = [];
}
