using ApiCache.DevServer.Storage;

namespace ApiCache.Tests.DevServer.Storage;

/// <summary>
/// Reads one store watch in a test: every wait is bounded by a generous failure guard, and every
/// event is checked against the watch invariants (change revisions never go down; a progress never
/// claims a revision whose changes are still to come).
/// </summary>
internal sealed class StoreWatchReader : IAsyncDisposable
{
    /// <summary>How long a test waits for the next event before failing.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    /// <summary>The most progress events skipped while waiting for a change (an etcd watch may send a few anywhere).</summary>
    private const int MaxSkippedProgress = 10_000;

    private readonly CancellationTokenSource _cancellation = new();
    private readonly IAsyncEnumerator<StoreEvent> _events;
    private Task<bool>? _pending;
    private long _lastChange;
    private long _lastProgress;

    public StoreWatchReader(IRevisionedStore store, string prefix, long afterRevision)
    {
        _events = store.WatchAsync(prefix, afterRevision, _cancellation.Token).GetAsyncEnumerator(_cancellation.Token);
    }

    /// <summary>Cancels the watch (the token given to the store).</summary>
    public Task CancelAsync() => _cancellation.CancelAsync();

    /// <summary>Starts or continues waiting for the next event; true when one came, false when the watch ended.</summary>
    public async Task<bool> MoveNextAsync()
    {
        _pending ??= _events.MoveNextAsync().AsTask();
        bool moved;
        try
        {
            moved = await _pending.WaitAsync(Guard);
        }
        finally
        {
            if (_pending.IsCompleted)
            {
                _pending = null;
            }
        }

        if (moved)
        {
            Check(_events.Current);
        }

        return moved;
    }

    /// <summary>The next event, a progress or a change.</summary>
    public async Task<StoreEvent> NextAsync()
    {
        Assert.True(await MoveNextAsync(), "the watch ended");
        return _events.Current;
    }

    /// <summary>The next change (put or delete), skipping progress events.</summary>
    public async Task<StoreEvent> NextChangeAsync()
    {
        for (var skipped = 0; skipped < MaxSkippedProgress; skipped++)
        {
            var next = await NextAsync();
            if (next.Type != StoreEventType.Progress)
            {
                return next;
            }
        }

        throw new InvalidOperationException("the watch sent only progress events");
    }

    /// <summary>The next <paramref name="count"/> changes, skipping progress events.</summary>
    public async Task<IReadOnlyList<StoreEvent>> NextChangesAsync(int count)
    {
        var changes = new List<StoreEvent>(count);
        while (changes.Count < count)
        {
            changes.Add(await NextChangeAsync());
        }

        return changes;
    }

    /// <summary>The first progress event at or above <paramref name="minimumRevision"/>; fails on a change.</summary>
    public async Task<StoreEvent> NextProgressAsync(long minimumRevision)
    {
        for (var skipped = 0; skipped < MaxSkippedProgress; skipped++)
        {
            var next = await NextAsync();
            Assert.Equal(StoreEventType.Progress, next.Type);
            if (next.Revision >= minimumRevision)
            {
                return next;
            }
        }

        throw new InvalidOperationException($"no progress reached revision {minimumRevision}");
    }

    public async ValueTask DisposeAsync()
    {
        await _cancellation.CancelAsync();
        if (_pending is not null)
        {
            try
            {
                await _pending.WaitAsync(Guard);
            }
            catch (Exception e) when (e is OperationCanceledException or StoreRevisionCompactedException)
            {
                // The watch ended as asked, or had already failed (which its test asserted).
            }
        }

        try
        {
            await _events.DisposeAsync();
        }
        catch (OperationCanceledException)
        {
            // Some enumerators report the cancellation again on disposal.
        }

        _cancellation.Dispose();
    }

    private void Check(StoreEvent next)
    {
        if (next.Type == StoreEventType.Progress)
        {
            Assert.True(next.Revision >= _lastChange, $"progress {next.Revision} is below the delivered change {_lastChange}");
            _lastProgress = Math.Max(_lastProgress, next.Revision);
            return;
        }

        Assert.NotNull(next.KeyValue);
        Assert.True(next.Revision >= _lastChange, $"change {next.Revision} came after change {_lastChange}");
        Assert.True(next.Revision > _lastProgress, $"change {next.Revision} came after progress {_lastProgress} claimed it delivered");
        _lastChange = next.Revision;
    }
}
