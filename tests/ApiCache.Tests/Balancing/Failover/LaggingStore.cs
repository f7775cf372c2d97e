using System.Runtime.CompilerServices;
using ApiCache.DevServer.Storage;

namespace ApiCache.Tests.Balancing.Failover;

/// <summary>
/// A view of a shared store that can fall behind, like an apiserver whose watch cache lags etcd:
/// while <see cref="HoldAsync"/> is in force, reads of the latest state, the current revision and watches
/// stop at the revision held; writes go through. <see cref="Release"/> lets it catch up.
/// </summary>
internal sealed class LaggingStore(IRevisionedStore inner) : IRevisionedStore
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private long _visible = long.MaxValue;

    /// <summary>The newest revision this view shows (<see cref="long.MaxValue"/> when not held).</summary>
    public long Visible => Interlocked.Read(ref _visible);

    /// <summary>Freezes the view at the shared store's current revision; returns it.</summary>
    public async Task<long> HoldAsync()
    {
        var revision = await inner.GetRevisionAsync(CancellationToken.None);
        Interlocked.Exchange(ref _visible, revision);
        return revision;
    }

    /// <summary>Lets the view catch up with the shared store.</summary>
    public void Release() => Interlocked.Exchange(ref _visible, long.MaxValue);

    public async ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken) =>
        Math.Min(await inner.GetRevisionAsync(cancellationToken), Visible);

    public ValueTask<long> GetCompactedRevisionAsync(CancellationToken cancellationToken) => inner.GetCompactedRevisionAsync(cancellationToken);

    public async ValueTask<StoreRange> RangeAsync(StoreRangeRequest request, CancellationToken cancellationToken)
    {
        var visible = Visible;
        if (visible == long.MaxValue || (request.Revision != 0 && request.Revision <= visible))
        {
            return await inner.RangeAsync(request, cancellationToken);
        }

        var range = await inner.RangeAsync(request with { Revision = request.Revision == 0 ? visible : request.Revision }, cancellationToken);
        return range with { Revision = Math.Min(range.Revision, visible) };
    }

    public ValueTask<StoreWriteResult> CreateAsync(string key, byte[] value, CancellationToken cancellationToken) => inner.CreateAsync(key, value, cancellationToken);

    public ValueTask<long> CreateManyAsync(IReadOnlyList<KeyValuePair<string, byte[]>> items, CancellationToken cancellationToken) => inner.CreateManyAsync(items, cancellationToken);

    public ValueTask<StoreWriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, CancellationToken cancellationToken) =>
        inner.UpdateAsync(key, value, expectedModRevision, cancellationToken);

    public ValueTask<StoreWriteResult> DeleteAsync(string key, long? expectedModRevision, CancellationToken cancellationToken) =>
        inner.DeleteAsync(key, expectedModRevision, cancellationToken);

    /// <summary>The shared store's changes, each held back until the view has caught up with it.</summary>
    public async IAsyncEnumerable<StoreEvent> WatchAsync(string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var change in inner.WatchAsync(prefix, afterRevision, cancellationToken))
        {
            while (change.Revision > Visible)
            {
                await Task.Delay(PollInterval, cancellationToken);
            }

            yield return change;
        }
    }

    public ValueTask CompactAsync(long revision, CancellationToken cancellationToken) => inner.CompactAsync(revision, cancellationToken);

    /// <summary>The shared store belongs to the test, which disposes it.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
