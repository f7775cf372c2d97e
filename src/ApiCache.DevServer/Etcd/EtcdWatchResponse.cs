namespace ApiCache.DevServer.Etcd;

/// <summary>
/// <c>WatchResponse</c>: one message of a watch stream. The first says <see cref="Created"/>; a
/// message without events that is neither created nor canceled is a progress notification
/// (every change up to the header revision was delivered); a compacted start revision answers
/// <see cref="Canceled"/> with <see cref="CompactRevision"/>.
/// </summary>
internal sealed record EtcdWatchResponse
{
    /// <summary>The header (the store revision when the message was sent).</summary>
    public EtcdResponseHeader Header { get; init => field = value ?? new(); } = new();

    /// <summary>True on the message confirming the watch was created.</summary>
    public bool Created { get; init; }

    /// <summary>True when etcd ended the watch.</summary>
    public bool Canceled { get; init; }

    /// <summary>When canceled because the start revision was compacted: the compacted revision.</summary>
    public long CompactRevision { get; init; }

    /// <summary>Why etcd ended the watch, when it says.</summary>
    public string? CancelReason { get; init; }

    /// <summary>The changes, in revision order.</summary>
    public IReadOnlyList<EtcdEvent> Events { get; init => field = value ?? []; } = [];

    /// <summary>True for a progress notification.</summary>
    public bool IsProgressNotify => !Created && !Canceled && Events.Count == 0 && CompactRevision == 0;
}
