namespace ApiCache.DevServer.Storage;

/// <summary>One stored key at one revision, as etcd reports it.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value bytes (empty in a delete event).</param>
/// <param name="CreateRevision">The revision that created the key.</param>
/// <param name="ModRevision">The revision of the key's last change (the object's resourceVersion).</param>
internal sealed record StoreKeyValue(string Key, byte[] Value, long CreateRevision, long ModRevision);
