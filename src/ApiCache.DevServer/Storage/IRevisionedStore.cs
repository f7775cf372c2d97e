namespace ApiCache.DevServer.Storage;

/// <summary>
/// A key-value store with one global revision counter, in the shape of etcd v3: every write gets
/// the next revision, reads can be made at a past revision until it is compacted, and a watch
/// replays every change after a revision, in revision order, followed by live changes.
/// Keys are strings in the apiserver's layout (<c>/registry/pods/team-a/web-0</c>); values are
/// opaque bytes (the object's JSON without its resourceVersion, which is the key's mod revision).
/// </summary>
/// <remarks>
/// Implementations: <c>InMemoryRevisionedStore</c> and <c>EtcdRevisionedStore</c>.
/// Both pass the same contract test suite. All members are safe to call concurrently.
/// </remarks>
internal interface IRevisionedStore : IAsyncDisposable
{
    /// <summary>The store's current revision (the revision of its latest write).</summary>
    ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken);

    /// <summary>The revision below which history is gone (0 when nothing was compacted).</summary>
    ValueTask<long> GetCompactedRevisionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reads keys in ordinal order. Throws <see cref="StoreRevisionCompactedException"/> for a
    /// compacted revision and <see cref="StoreFutureRevisionException"/> for one not yet written.
    /// </summary>
    ValueTask<StoreRange> RangeAsync(StoreRangeRequest request, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/> only if the key does not exist.</summary>
    ValueTask<StoreWriteResult> CreateAsync(string key, byte[] value, CancellationToken cancellationToken);

    /// <summary>
    /// Creates many keys at once (seeding). Keys that exist are overwritten. Items of one call may
    /// share a revision (etcd writes one transaction per batch). Returns the store revision after.
    /// </summary>
    ValueTask<long> CreateManyAsync(IReadOnlyList<KeyValuePair<string, byte[]>> items, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the value of an existing key only if its mod revision is still
    /// <paramref name="expectedModRevision"/> (optimistic concurrency).
    /// </summary>
    ValueTask<StoreWriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a key; when <paramref name="expectedModRevision"/> is given, only if its mod revision
    /// is still that. On success <see cref="StoreWriteResult.KeyValue"/> is the deleted value.
    /// </summary>
    ValueTask<StoreWriteResult> DeleteAsync(string key, long? expectedModRevision, CancellationToken cancellationToken);

    /// <summary>
    /// Every change to keys starting with <paramref name="prefix"/> with a revision greater than
    /// <paramref name="afterRevision"/>, in revision order, then live changes until cancelled;
    /// interleaved with <see cref="StoreEventType.Progress"/> events that say "every change up to
    /// this revision has been delivered". Throws <see cref="StoreRevisionCompactedException"/>
    /// (on the first MoveNextAsync) when changes after <paramref name="afterRevision"/> were compacted.
    /// </summary>
    IAsyncEnumerable<StoreEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken);

    /// <summary>Discards history before <paramref name="revision"/>: reads and watches older than it then fail as compacted.</summary>
    ValueTask CompactAsync(long revision, CancellationToken cancellationToken);
}
