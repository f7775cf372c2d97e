using System.Collections.Concurrent;

namespace ApiCache.Consistency;

/// <summary>
/// Shares revision lookups among concurrent reads of the same resource without ever serving a read
/// from a lookup that started before the read arrived (that lookup's quorum read might predate a
/// write the reader already saw, breaking read-your-writes).
/// </summary>
/// <remarks>
/// Per key, at most one lookup runs and at most one more waits. A read that finds none running
/// starts one at once; a read that finds one running joins the waiting one (creating it if
/// needed), which starts when the running one ends, so it started after every read it serves
/// arrived. A waiting lookup starts from the lowest cache revision among its reads, which makes
/// its result valid for each of them. A read's cancellation ends only its own wait: the shared
/// lookup runs on (bounded by the lookup's own time-out) for the others.
/// </remarks>
/// <typeparam name="TResult">What a lookup learns.</typeparam>
internal sealed class RevisionLookupCoalescer<TResult>
{
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly Func<string, long, Task<TResult>> _lookup;
    private long _lookupsStarted;
    private bool _disposed;

    /// <summary>Creates a coalescer over <paramref name="lookup"/>(key, fromRevision).</summary>
    public RevisionLookupCoalescer(Func<string, long, Task<TResult>> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        _lookup = lookup;
    }

    /// <summary>How many lookups have started, for tests and diagnostics.</summary>
    public long LookupsStarted => Interlocked.Read(ref _lookupsStarted);

    /// <summary>
    /// The result of a lookup for <paramref name="key"/> that starts after this call and from at most
    /// <paramref name="fromRevision"/>. Throws what the lookup threw; <see cref="ObjectDisposedException"/> after <see cref="DisposeAsync"/>.
    /// </summary>
    public Task<TResult> GetAsync(string key, long fromRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slot = _slots.GetOrAdd(key, static _ => new Slot());
        Batch batch;
        var start = false;
        lock (slot.Gate)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
            if (slot.Running is null)
            {
                batch = new Batch(fromRevision);
                slot.Running = batch;
                start = true;
            }
            else
            {
                batch = slot.Queued ??= new Batch(fromRevision);
                batch.FromRevision = Math.Min(batch.FromRevision, fromRevision);
            }
        }

        if (start)
        {
            _ = RunAsync(key, slot, batch);
        }

        return batch.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Fails the waiting lookups and waits for the running ones to end (their owner cancels them first).</summary>
    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _disposed, true);
        var running = new List<Task>();
        foreach (var slot in _slots.Values)
        {
            Batch? queued;
            lock (slot.Gate)
            {
                queued = slot.Queued;
                slot.Queued = null;
                if (slot.Running is { } batch)
                {
                    running.Add(batch.Completion.Task);
                }
            }

            queued?.Completion.TrySetException(new ObjectDisposedException(GetType().Name));
        }

        try
        {
            await Task.WhenAll(running);
        }
        catch (Exception)
        {
            // Their readers see the failures; disposal only waits for the lookups to end.
        }
    }

    /// <summary>Runs <paramref name="batch"/>, then each batch that queued meanwhile, until none is waiting.</summary>
    private async Task RunAsync(string key, Slot slot, Batch batch)
    {
        // Off the first reader's stack: its wait should not include the lookup's synchronous start.
        await Task.Yield();

        // Each turn serves the reads that arrived during the previous one; the loop ends when none did.
        while (true)
        {
            Interlocked.Increment(ref _lookupsStarted);
            try
            {
                batch.Completion.TrySetResult(await _lookup(key, batch.FromRevision));
            }
            catch (Exception e)
            {
                batch.Completion.TrySetException(e);
            }

            lock (slot.Gate)
            {
                slot.Running = slot.Queued;
                slot.Queued = null;
                if (slot.Running is null)
                {
                    return;
                }

                // No read joins a running batch, so its start revision is final from here on.
                batch = slot.Running;
            }
        }
    }

    /// <summary>One key's lookups: the running one and the one waiting to start.</summary>
    private sealed class Slot
    {
        public Lock Gate { get; } = new();

        public Batch? Running { get; set; }

        public Batch? Queued { get; set; }
    }

    /// <summary>One lookup and the reads it serves.</summary>
    private sealed class Batch
    {
        public Batch(long fromRevision)
        {
            FromRevision = fromRevision;

            // Every reader may have stopped waiting: a failure nobody reads is still observed.
            Completion.Task.ContinueWith(
                static task => _ = task.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        public long FromRevision { get; set; }

        public TaskCompletionSource<TResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
