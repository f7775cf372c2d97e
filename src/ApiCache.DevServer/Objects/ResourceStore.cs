using ApiCache.DevServer.Embedding;
using ApiCache.DevServer.Resources;
using ApiCache.DevServer.Storage;

namespace ApiCache.DevServer.Objects;

/// <summary>
/// Object-level reads over the revisioned store: one object, and pages of a collection at a pinned
/// revision with an optional filter — the apiserver's etcd3 storage GetList, including how the
/// continue key and remainingItemCount come out. With ApiCache embedded (a
/// <see cref="ResourceWriteTracker"/> registered), <see cref="Store"/> reports every write the dev
/// server makes through it to the tracker.
/// </summary>
internal sealed class ResourceStore(IRevisionedStore store, ResourceWriteTracker? tracker = null)
{
    /// <summary>How many keys one filtered read fetches at a time.</summary>
    private const int FilteredChunk = 500;

    private readonly IRevisionedStore _writable = tracker is null ? store : new WriteTrackingStore(store, tracker);

    /// <summary>The key-value store, for the dev server's writes (tracked when ApiCache is embedded).</summary>
    public IRevisionedStore Store => _writable;

    /// <summary>Reads one object at <paramref name="revision"/> (0 = latest); null when it does not exist.</summary>
    public async Task<(StoredObject? Object, long Revision)> GetAsync(ResourceDefinition resource, string? @namespace, string name, long revision, CancellationToken cancellationToken)
    {
        var range = await store.RangeAsync(new StoreRangeRequest(resource.KeyFor(@namespace, name)) { SingleKey = true, Revision = revision }, cancellationToken);
        return (range.Items.Count == 0 ? null : new StoredObject(resource, range.Items[0]), range.Revision);
    }

    /// <summary>
    /// Reads a page of the collection under <paramref name="prefix"/> at <paramref name="revision"/>
    /// (0 = latest), from <paramref name="startKey"/> (absolute, inclusive) on, keeping objects that
    /// pass <paramref name="filter"/>, at most <paramref name="limit"/> of them (≤ 0: all).
    /// </summary>
    public async Task<ListPage> ListAsync(
        ResourceDefinition resource, string prefix, long revision, string? startKey, long limit, Func<ReadOnlyMemory<byte>, bool>? filter, CancellationToken cancellationToken)
    {
        var pageLimit = limit > 0 ? (int)Math.Min(limit, int.MaxValue) : 0;
        if (filter is null)
        {
            var range = await store.RangeAsync(new StoreRangeRequest(prefix) { StartKey = startKey, Revision = revision, Limit = pageLimit }, cancellationToken);
            var items = range.Items.Select(kv => new StoredObject(resource, kv)).ToList();
            return range.More && items.Count > 0
                ? new ListPage(items, range.Revision, items[^1].KeyValue.Key[prefix.Length..], range.Count - items.Count)
                : new ListPage(items, range.Revision, null, null);
        }

        var matched = new List<StoredObject>();
        var cursor = startKey;
        var pinned = revision;
        while (true)
        {
            var chunkLimit = pageLimit > 0 ? Math.Max(pageLimit, FilteredChunk) : FilteredChunk;
            var chunk = await store.RangeAsync(new StoreRangeRequest(prefix) { StartKey = cursor, Revision = pinned, Limit = chunkLimit, CountAll = false }, cancellationToken);
            pinned = chunk.Revision;
            for (var i = 0; i < chunk.Items.Count; i++)
            {
                var kv = chunk.Items[i];
                if (!filter(kv.Value))
                {
                    continue;
                }

                matched.Add(new StoredObject(resource, kv));
                if (pageLimit > 0 && matched.Count == pageLimit)
                {
                    var more = i < chunk.Items.Count - 1 || chunk.More;
                    return new ListPage(matched, pinned, more ? kv.Key[prefix.Length..] : null, null);
                }
            }

            if (!chunk.More || chunk.Items.Count == 0)
            {
                return new ListPage(matched, pinned, null, null);
            }

            cursor = chunk.Items[^1].Key + "\0";
        }
    }
}
