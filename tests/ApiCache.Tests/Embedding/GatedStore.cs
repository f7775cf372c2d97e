using ApiCache.DevServer.Storage;

namespace ApiCache.Tests.Embedding;

/// <summary>
/// An in-memory store whose creates, once armed, commit and then hold their answer until released
/// (and then may fail anyway): a write that has a revision the caller has not learned yet.
/// </summary>
internal sealed class GatedStore : IRevisionedStore
{
    private readonly InMemoryRevisionedStore _inner = new();
    private TaskCompletionSource<long>? _committed;
    private TaskCompletionSource? _release;
    private bool _fail;

    /// <summary>Holds the next create after it committed; the task completes with its revision.</summary>
    public Task<long> Arm(bool fail = false)
    {
        _fail = fail;
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _committed = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        return _committed.Task;
    }

    /// <summary>Lets the held create answer.</summary>
    public void Release() => _release?.TrySetResult();

    public ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken) => _inner.GetRevisionAsync(cancellationToken);

    public ValueTask<long> GetCompactedRevisionAsync(CancellationToken cancellationToken) => _inner.GetCompactedRevisionAsync(cancellationToken);

    public ValueTask<StoreRange> RangeAsync(StoreRangeRequest request, CancellationToken cancellationToken) => _inner.RangeAsync(request, cancellationToken);

    public async ValueTask<StoreWriteResult> CreateAsync(string key, byte[] value, CancellationToken cancellationToken)
    {
        var result = await _inner.CreateAsync(key, value, cancellationToken);
        if (_committed is { } committed && _release is { } release)
        {
            _committed = null;
            committed.TrySetResult(result.Revision);
            await release.Task;
            if (_fail)
            {
                throw new StoreUnavailableException("the answer was lost");
            }
        }

        return result;
    }

    public ValueTask<long> CreateManyAsync(IReadOnlyList<KeyValuePair<string, byte[]>> items, CancellationToken cancellationToken) => _inner.CreateManyAsync(items, cancellationToken);

    public ValueTask<StoreWriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, CancellationToken cancellationToken) =>
        _inner.UpdateAsync(key, value, expectedModRevision, cancellationToken);

    public ValueTask<StoreWriteResult> DeleteAsync(string key, long? expectedModRevision, CancellationToken cancellationToken) =>
        _inner.DeleteAsync(key, expectedModRevision, cancellationToken);

    public IAsyncEnumerable<StoreEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken) => _inner.WatchAsync(prefix, afterRevision, cancellationToken);

    public ValueTask CompactAsync(long revision, CancellationToken cancellationToken) => _inner.CompactAsync(revision, cancellationToken);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
