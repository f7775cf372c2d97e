namespace ApiCache.DevServer.Etcd;

/// <summary><c>PutRequest</c>: writes one key.</summary>
internal sealed record EtcdPutRequest
{
    /// <summary>The key.</summary>
    public required byte[] Key { get; init; }

    /// <summary>The value.</summary>
    public required byte[] Value { get; init; }

    /// <summary>Return the key-value before the write.</summary>
    public bool? PrevKv { get; init; }
}
