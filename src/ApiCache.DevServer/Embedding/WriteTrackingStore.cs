using ApiCache.DevServer.Storage;

namespace ApiCache.DevServer.Embedding;

/// <summary>
/// The store as the dev server's own code writes to it when ApiCache is embedded: every write is
/// reported to the <see cref="ResourceWriteTracker"/> (in flight, then at which revision it changed
/// its keys), so <see cref="DevServerRevisionSource"/> knows each resource's last write. Reads,
/// watches and compaction pass straight through. Does not own the inner store.
/// </summary>
internal sealed class WriteTrackingStore(IRevisionedStore inner, ResourceWriteTracker tracker) : IRevisionedStore
{
    /// <inheritdoc/>
    public ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken) => inner.GetRevisionAsync(cancellationToken);

    /// <inheritdoc/>
    public ValueTask<long> GetCompactedRevisionAsync(CancellationToken cancellationToken) => inner.GetCompactedRevisionAsync(cancellationToken);

    /// <inheritdoc/>
    public ValueTask<StoreRange> RangeAsync(StoreRangeRequest request, CancellationToken cancellationToken) => inner.RangeAsync(request, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<StoreEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken) =>
        inner.WatchAsync(prefix, afterRevision, cancellationToken);

    /// <inheritdoc/>
    public ValueTask CompactAsync(long revision, CancellationToken cancellationToken) => inner.CompactAsync(revision, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<StoreWriteResult> CreateAsync(string key, byte[] value, CancellationToken cancellationToken) =>
        TrackAsync(key, () => inner.CreateAsync(key, value, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<StoreWriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, CancellationToken cancellationToken) =>
        TrackAsync(key, () => inner.UpdateAsync(key, value, expectedModRevision, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<StoreWriteResult> DeleteAsync(string key, long? expectedModRevision, CancellationToken cancellationToken) =>
        TrackAsync(key, () => inner.DeleteAsync(key, expectedModRevision, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<long> CreateManyAsync(IReadOnlyList<KeyValuePair<string, byte[]>> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        await tracker.BaselineAsync(cancellationToken);
        var indexes = tracker.Starting(items.Select(i => i.Key));
        long? revision = null;
        try
        {
            // The store's revision after the batch: at or above the items' own, so a safe record.
            revision = await inner.CreateManyAsync(items, cancellationToken);
            return revision.Value;
        }
        finally
        {
            tracker.Ended(indexes, items.Count == 0 ? 0 : revision);
        }
    }

    /// <summary>The tracked store does not own the inner one (the host does).</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async ValueTask<StoreWriteResult> TrackAsync(string key, Func<ValueTask<StoreWriteResult>> write, CancellationToken cancellationToken)
    {
        await tracker.BaselineAsync(cancellationToken);
        var indexes = tracker.Starting([key]);
        long? revision = null;
        try
        {
            var result = await write();
            revision = result.Succeeded ? result.Revision : 0;
            return result;
        }
        finally
        {
            tracker.Ended(indexes, revision);
        }
    }
}
