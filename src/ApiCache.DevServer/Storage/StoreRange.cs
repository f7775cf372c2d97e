namespace ApiCache.DevServer.Storage;

/// <summary>The answer to a range read.</summary>
/// <param name="Items">The key-values in ordinal key order.</param>
/// <param name="Revision">The revision the read was made at (the store's revision for a latest read).</param>
/// <param name="More">True when the limit cut the range short.</param>
/// <param name="Count">How many keys the whole range (from the start key on, ignoring the limit) holds.</param>
internal sealed record StoreRange(IReadOnlyList<StoreKeyValue> Items, long Revision, bool More, long Count);
