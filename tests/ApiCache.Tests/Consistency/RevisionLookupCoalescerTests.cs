using ApiCache.Consistency;

namespace ApiCache.Tests.Consistency;

/// <summary>Shared lookups per resource, never started before the reads they serve (no etcd).</summary>
public sealed class RevisionLookupCoalescerTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task GetAsync_NothingRunning_StartsALookupAtOnce()
    {
        var lookups = new ScriptedLookups();
        var coalescer = new RevisionLookupCoalescer<long>(lookups.RunAsync);

        var result = coalescer.GetAsync("pods", 7, CancellationToken.None);
        var started = await lookups.NextStartedAsync();
        started.Finish(70);

        Assert.Equal(70, await result.WaitAsync(Guard));
        Assert.Equal(("pods", 7L), (started.Key, started.FromRevision));
        Assert.Equal(1, coalescer.LookupsStarted);
    }

    [Fact]
    public async Task GetAsync_ArrivingWhileOneRuns_ShareTheNextLookupFromTheirLowestRevision()
    {
        var lookups = new ScriptedLookups();
        var coalescer = new RevisionLookupCoalescer<long>(lookups.RunAsync);
        var first = coalescer.GetAsync("pods", 10, CancellationToken.None);
        var running = await lookups.NextStartedAsync();

        var second = coalescer.GetAsync("pods", 12, CancellationToken.None);
        var third = coalescer.GetAsync("pods", 11, CancellationToken.None);
        running.Finish(100);
        var next = await lookups.NextStartedAsync();
        next.Finish(200);

        Assert.Equal(100, await first.WaitAsync(Guard));
        Assert.Equal(200, await second.WaitAsync(Guard));
        Assert.Equal(200, await third.WaitAsync(Guard));
        Assert.Equal(11, next.FromRevision);
        Assert.Equal(2, coalescer.LookupsStarted);
    }

    [Fact]
    public async Task GetAsync_OtherKey_RunsIndependently()
    {
        var lookups = new ScriptedLookups();
        var coalescer = new RevisionLookupCoalescer<long>(lookups.RunAsync);
        var pods = coalescer.GetAsync("pods", 1, CancellationToken.None);
        var podLookup = await lookups.NextStartedAsync();

        var nodes = coalescer.GetAsync("nodes", 1, CancellationToken.None);
        var nodeLookup = await lookups.NextStartedAsync();
        nodeLookup.Finish(5);

        Assert.Equal("nodes", nodeLookup.Key);
        Assert.Equal(5, await nodes.WaitAsync(Guard));
        Assert.False(pods.IsCompleted);
        podLookup.Finish(6);
        Assert.Equal(6, await pods.WaitAsync(Guard));
    }

    [Fact]
    public async Task GetAsync_LookupFails_EveryReadItServesSeesTheFailureAndTheNextReadStartsAgain()
    {
        var lookups = new ScriptedLookups();
        var coalescer = new RevisionLookupCoalescer<long>(lookups.RunAsync);
        var first = coalescer.GetAsync("pods", 1, CancellationToken.None);
        (await lookups.NextStartedAsync()).Fail(new RevisionSourceUnavailableException("etcd is down"));
        await Assert.ThrowsAsync<RevisionSourceUnavailableException>(() => first.WaitAsync(Guard));

        var again = coalescer.GetAsync("pods", 1, CancellationToken.None);
        (await lookups.NextStartedAsync()).Finish(9);

        Assert.Equal(9, await again.WaitAsync(Guard));
    }

    [Fact]
    public async Task GetAsync_ReaderCancels_OnlyItsWaitEnds()
    {
        var lookups = new ScriptedLookups();
        var coalescer = new RevisionLookupCoalescer<long>(lookups.RunAsync);
        var first = coalescer.GetAsync("pods", 1, CancellationToken.None);
        var running = await lookups.NextStartedAsync();
        using var cancel = new CancellationTokenSource();
        var impatient = coalescer.GetAsync("pods", 1, cancel.Token);
        var patient = coalescer.GetAsync("pods", 1, CancellationToken.None);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient.WaitAsync(Guard));
        running.Finish(1);
        (await lookups.NextStartedAsync()).Finish(2);

        Assert.Equal(1, await first.WaitAsync(Guard));
        Assert.Equal(2, await patient.WaitAsync(Guard));
    }

    [Fact]
    public async Task DisposeAsync_WaitingLookup_FailsItsReadsAndRefusesNewOnes()
    {
        var lookups = new ScriptedLookups();
        var coalescer = new RevisionLookupCoalescer<long>(lookups.RunAsync);
        var first = coalescer.GetAsync("pods", 1, CancellationToken.None);
        var running = await lookups.NextStartedAsync();
        var queued = coalescer.GetAsync("pods", 1, CancellationToken.None);

        var disposing = coalescer.DisposeAsync().AsTask();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => queued.WaitAsync(Guard));
        Assert.False(disposing.IsCompleted);
        running.Finish(3);
        await disposing.WaitAsync(Guard);

        Assert.Equal(3, await first.WaitAsync(Guard));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => coalescer.GetAsync("pods", 1, CancellationToken.None));
        Assert.Equal(1, coalescer.LookupsStarted);
    }

    /// <summary>Lookups that run until the test finishes them, announced in the order they start.</summary>
    private sealed class ScriptedLookups
    {
        private readonly System.Threading.Channels.Channel<Lookup> _started = System.Threading.Channels.Channel.CreateUnbounded<Lookup>();

        public Task<long> RunAsync(string key, long fromRevision)
        {
            var lookup = new Lookup(key, fromRevision);
            _started.Writer.TryWrite(lookup);
            return lookup.Completion.Task;
        }

        public async Task<Lookup> NextStartedAsync() => await _started.Reader.ReadAsync().AsTask().WaitAsync(Guard);
    }

    private sealed record Lookup(string Key, long FromRevision)
    {
        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Finish(long result) => Completion.SetResult(result);

        public void Fail(Exception error) => Completion.SetException(error);
    }
}
