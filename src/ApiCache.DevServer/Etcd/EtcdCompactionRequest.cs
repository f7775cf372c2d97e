namespace ApiCache.DevServer.Etcd;

/// <summary><c>CompactionRequest</c>: discards history before <see cref="Revision"/>.</summary>
internal sealed record EtcdCompactionRequest
{
    /// <summary>The revision to compact to.</summary>
    public required long Revision { get; init; }

    /// <summary>Answer only once the compaction is physically applied (so older reads fail right after).</summary>
    public bool? Physical { get; init; }
}
