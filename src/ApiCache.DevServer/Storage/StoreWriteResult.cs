namespace ApiCache.DevServer.Storage;

/// <summary>The outcome of a conditional write.</summary>
/// <param name="Succeeded">False when the condition failed (the key existed, did not exist, or had moved on).</param>
/// <param name="Revision">The store revision after the operation (the new mod revision on success).</param>
/// <param name="KeyValue">
/// On success: the written key-value (create/update) or the deleted one (delete). On failure: the
/// key's current value, or null when the key does not exist.
/// </param>
internal sealed record StoreWriteResult(bool Succeeded, long Revision, StoreKeyValue? KeyValue);
