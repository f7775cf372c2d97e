using System.Collections.Concurrent;
using ApiCache.Consistency;
using ApiCache.Tests.Informers;
using ApiCache.Upstream;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Tests.Serving;

/// <summary>
/// The quorum-probe revision source against a scripted upstream whose probes (<c>GET
/// /api/v1/pods?limit=1</c>) the test holds and answers one by one: concurrent reads share probes,
/// but a read never takes the answer of a probe that was already running when it arrived (that probe
/// may have read etcd before the reader's own write), and a failed or abandoned probe does not
/// poison the reads after it.
/// </summary>
public sealed class QuorumProbeCoalescingTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly CachedResourceReference Pods = new("", "v1", "pods", "/registry/pods/");

    /// <summary>The answer of the n-th probe (0-based): set by the test to release it.</summary>
    private readonly ConcurrentDictionary<int, TaskCompletionSource<(int Status, long ResourceVersion)>> _answers = new();

    private ScriptedUpstream? _upstream;
    private UpstreamEndpointSet? _endpoints;
    private QuorumProbeRevisionSource? _source;

    private ScriptedUpstream Upstream => _upstream!;

    private QuorumProbeRevisionSource Source => _source!;

    public async Task InitializeAsync()
    {
        _upstream = await ScriptedUpstream.StartAsync(AnswerProbeAsync, (context, _) => ScriptedUpstream.WriteAsync(context, 405, ""));
        _endpoints = TestEndpoints.For(_upstream.Address);
        _source = new QuorumProbeRevisionSource(_endpoints, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        foreach (var answer in _answers.Values)
        {
            answer.TrySetResult((500, 0));
        }

        _endpoints?.Dispose();
        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("", "pods", true, "/api/v1/namespaces/apicache-revision-probe/pods")]
    [InlineData("apps", "deployments", true, "/apis/apps/v1/namespaces/apicache-revision-probe/deployments")]
    [InlineData("", "nodes", false, "/api/v1/nodes")]
    public void ProbePath_ByScope_ListsAnEmptyNamespaceOrTheClusterScopedCollection(string group, string resource, bool namespaced, string expected)
    {
        var reference = new CachedResourceReference(group, "v1", resource, "/registry/" + resource + "/") { Namespaced = namespaced };

        Assert.Equal(expected, QuorumProbeRevisionSource.ProbePath(reference));
    }

    [Fact]
    public async Task GetTargetAsync_ReadsArriveWhileAProbeRuns_ShareTheNextProbeAndNeverTheRunningOne()
    {
        // Arrange: the first read starts probe 0, which the upstream holds.
        var first = Source.GetTargetAsync(Pods, 5, CancellationToken.None).AsTask();
        await ProbeArrivedAsync(0);

        // Act: fifty reads arrive while probe 0 runs.
        var queued = Enumerable.Range(0, 50).Select(_ => Source.GetTargetAsync(Pods, 5, CancellationToken.None).AsTask()).ToArray();
        Answer(0, 100);
        var firstTarget = await first.WaitAsync(Deadline);

        // Probe 1 starts for them; until it answers, none of them may complete (probe 0's answer is not theirs).
        await ProbeArrivedAsync(1);
        Assert.All(queued, q => Assert.False(q.IsCompleted));
        var late = Source.GetTargetAsync(Pods, 5, CancellationToken.None).AsTask();
        Answer(1, 200);
        var queuedTargets = await Task.WhenAll(queued).WaitAsync(Deadline);

        // The read that arrived while probe 1 ran gets probe 2.
        await ProbeArrivedAsync(2);
        Assert.False(late.IsCompleted);
        Answer(2, 300);
        var lateTarget = await late.WaitAsync(Deadline);

        // Assert
        Assert.Equal(new RevisionTarget(100, 100), firstTarget);
        Assert.All(queuedTargets, t => Assert.Equal(new RevisionTarget(200, 200), t));
        Assert.Equal(new RevisionTarget(300, 300), lateTarget);
        Assert.Equal(3, Source.ProbeCount);
        Assert.Equal(3, Upstream.Lists.Count);
        Assert.All(Upstream.Lists, r => Assert.Equal("/api/v1/pods?limit=1", r.Target));
    }

    [Fact]
    public async Task GetTargetAsync_ManyConcurrentReads_TwoProbesAnswerThemAll()
    {
        // Arrange: one read starts a probe that the upstream holds; two hundred more pile up behind it.
        var reads = new List<Task<RevisionTarget>> { Source.GetTargetAsync(Pods, 0, CancellationToken.None).AsTask() };
        await ProbeArrivedAsync(0);
        reads.AddRange(Enumerable.Range(0, 200).Select(_ => Source.GetTargetAsync(Pods, 0, CancellationToken.None).AsTask()));

        // Act
        Answer(0, 40);
        await ProbeArrivedAsync(1);
        Answer(1, 41);
        var targets = await Task.WhenAll(reads).WaitAsync(Deadline);

        // Assert: 201 reads, 2 probes.
        Assert.Equal(40, targets[0].Current);
        Assert.All(targets.Skip(1), t => Assert.Equal(41, t.Current));
        Assert.Equal(2, Source.ProbeCount);
        Assert.Equal(2, Upstream.Lists.Count);
    }

    [Fact]
    public async Task GetTargetAsync_ProbeFails_ItsReadFailsAndTheReadsQueuedBehindItGetTheNextProbe()
    {
        // Arrange: a read starts probe 0; two more queue behind it.
        var failing = Source.GetTargetAsync(Pods, 0, CancellationToken.None).AsTask();
        await ProbeArrivedAsync(0);
        var queued = Enumerable.Range(0, 2).Select(_ => Source.GetTargetAsync(Pods, 0, CancellationToken.None).AsTask()).ToArray();

        // Act
        Answer(0, 0, status: 503);
        var failure = await Record.ExceptionAsync(() => failing.WaitAsync(Deadline));
        await ProbeArrivedAsync(1);
        Answer(1, 77);
        var targets = await Task.WhenAll(queued).WaitAsync(Deadline);
        var later = Source.GetTargetAsync(Pods, 0, CancellationToken.None).AsTask();
        await ProbeArrivedAsync(2);
        Answer(2, 78);

        // Assert
        Assert.NotNull(failure);
        Assert.IsNotAssignableFrom<OperationCanceledException>(failure);
        Assert.All(targets, t => Assert.Equal(new RevisionTarget(77, 77), t));
        Assert.Equal(new RevisionTarget(78, 78), await later.WaitAsync(Deadline));
        Assert.Equal(3, Source.ProbeCount);
    }

    [Fact]
    public async Task GetTargetAsync_ReadsCancelled_TheProbesRunOnForTheReadsSharingThem()
    {
        // Arrange: a cancellable read starts probe 0; a cancellable and a plain read queue behind it.
        using var cancel = new CancellationTokenSource();
        var starter = Source.GetTargetAsync(Pods, 0, cancel.Token).AsTask();
        await ProbeArrivedAsync(0);
        var cancelledQueued = Source.GetTargetAsync(Pods, 0, cancel.Token).AsTask();
        var other = Source.GetTargetAsync(Pods, 0, CancellationToken.None).AsTask();

        // Act: both cancellable reads go away while probe 0 runs.
        await cancel.CancelAsync();
        var cancellations = new[] { await Record.ExceptionAsync(() => starter.WaitAsync(Deadline)), await Record.ExceptionAsync(() => cancelledQueued.WaitAsync(Deadline)) };
        Answer(0, 8);
        await ProbeArrivedAsync(1);
        Answer(1, 9);

        // Assert
        Assert.All(cancellations, c => Assert.IsAssignableFrom<OperationCanceledException>(c));
        Assert.Equal(new RevisionTarget(9, 9), await other.WaitAsync(Deadline));
        Assert.Equal(2, Source.ProbeCount);
    }

    private TaskCompletionSource<(int Status, long ResourceVersion)> AnswerSlot(int probe) =>
        _answers.GetOrAdd(probe, _ => new TaskCompletionSource<(int, long)>(TaskCreationOptions.RunContinuationsAsynchronously));

    private void Answer(int probe, long resourceVersion, int status = 200) => AnswerSlot(probe).SetResult((status, resourceVersion));

    private Task ProbeArrivedAsync(int probe) => Eventually.TrueAsync(() => Upstream.Lists.Count > probe, () => $"probe {probe} to reach the upstream");

    private async Task AnswerProbeAsync(HttpContext context, int probe)
    {
        var (status, resourceVersion) = await AnswerSlot(probe).Task;
        await ScriptedUpstream.WriteAsync(context, status, status == 200
            ? ScriptedUpstream.ListBody(resourceVersion, null)
            : ScriptedUpstream.Status(status, "ServiceUnavailable", "unavailable"));
    }
}
