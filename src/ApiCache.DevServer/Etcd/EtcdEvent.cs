namespace ApiCache.DevServer.Etcd;

/// <summary><c>mvccpb.Event</c>: one change. <see cref="Type"/> is null for PUT (the default is omitted) or "DELETE".</summary>
internal sealed record EtcdEvent
{
    /// <summary>"DELETE", or null/"PUT" for a put.</summary>
    public string? Type { get; init; }

    /// <summary>The key-value after the change (for a delete: the key and the delete revision only).</summary>
    public EtcdKeyValue Kv { get; init => field = value ?? new(); } = new();

    /// <summary>The key-value before the change, when asked for and the key existed.</summary>
    public EtcdKeyValue? PrevKv { get; init; }

    /// <summary>True for a delete event.</summary>
    public bool IsDelete => string.Equals(Type, "DELETE", StringComparison.Ordinal);
}
