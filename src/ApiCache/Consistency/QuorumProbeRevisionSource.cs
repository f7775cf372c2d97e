using System.Collections.Concurrent;
using ApiCache.Informers;
using ApiCache.Upstream;

namespace ApiCache.Consistency;

/// <summary>
/// The default revision source: a quorum read upstream, <c>GET &lt;collection&gt;?limit=1</c>
/// without resourceVersion, whose <c>metadata.resourceVersion</c> is the current etcd revision.
/// For a namespaced resource the probe lists a namespace that holds nothing
/// (<see cref="ProbeNamespace"/>): any consistent LIST answers the current revision, and an empty
/// range costs the apiserver (and etcd) nothing, where the whole collection's first page makes it
/// count every remaining object (140-290 ms at 200k pods on the dev server).
/// Probes are coalesced per resource: one is in flight at a time, and the reads that arrive while
/// it runs share the next one (not the running one: it may have read etcd before their writes
/// were acknowledged, and answering from it would break read-your-writes). The probe cannot tell
/// which revisions touched the resource, so the cache waits for the current revision itself
/// (which a quiet resource reaches only with a bookmark) — <see cref="RevisionTarget.WaitFor"/>
/// equals <see cref="RevisionTarget.Current"/>.
/// </summary>
internal sealed class QuorumProbeRevisionSource(UpstreamEndpointSet endpoints, TimeProvider time) : IRevisionSource
{
    /// <summary>The namespace probes of namespaced resources list: not expected to exist (if it does, a probe costs one object).</summary>
    public const string ProbeNamespace = "apicache-revision-probe";

    /// <summary>How long one probe may take; its waiters fall back when it fails.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, ProbeLine> _lines = new(StringComparer.Ordinal);
    private long _probes;

    /// <summary>Probes sent upstream so far (coalescing makes this smaller than the reads).</summary>
    public long ProbeCount => Interlocked.Read(ref _probes);

    /// <inheritdoc/>
    public async ValueTask<RevisionTarget> GetTargetAsync(CachedResourceReference resource, long cachedRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var line = _lines.GetOrAdd(ProbePath(resource), path => new ProbeLine(new ListWatchClient(endpoints, path, time)));
        var revision = await line.NextResultAsync(this).WaitAsync(cancellationToken).ConfigureAwait(false);
        return new RevisionTarget(revision, revision);
    }

    /// <summary>The collection a probe lists: the resource in <see cref="ProbeNamespace"/>, or the whole collection of a cluster-scoped one.</summary>
    internal static string ProbePath(CachedResourceReference resource)
    {
        if (!resource.Namespaced)
        {
            return resource.CollectionPath;
        }

        var root = resource.Group.Length == 0 ? $"/api/{resource.Version}" : $"/apis/{resource.Group}/{resource.Version}";
        return $"{root}/namespaces/{ProbeNamespace}/{resource.Resource}";
    }

    private async Task<long> ProbeAsync(ListWatchClient client)
    {
        Interlocked.Increment(ref _probes);
        using var timeout = new CancellationTokenSource(ProbeTimeout, time);
        using var page = await client.ListPageAsync(continueToken: null, limit: 1, timeout.Token).ConfigureAwait(false);
        return page.ResourceVersion;
    }

    /// <summary>One resource's probes: the one running and the one its late arrivals wait for.</summary>
    private sealed class ProbeLine(ListWatchClient client)
    {
        private readonly Lock _lock = new();
        private TaskCompletionSource<long>? _running;
        private TaskCompletionSource<long>? _next;

        /// <summary>The result of the next probe that starts after this call.</summary>
        public Task<long> NextResultAsync(QuorumProbeRevisionSource owner)
        {
            lock (_lock)
            {
                if (_running is not null)
                {
                    _next ??= new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                    return _next.Task;
                }

                _running = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                var result = _running.Task;
                _ = Task.Run(() => RunAsync(owner));
                return result;
            }
        }

        /// <summary>Runs probes back to back while reads keep queueing for a next one.</summary>
        private async Task RunAsync(QuorumProbeRevisionSource owner)
        {
            while (true)
            {
                TaskCompletionSource<long> current;
                lock (_lock)
                {
                    current = _running!;
                }

                try
                {
                    current.TrySetResult(await owner.ProbeAsync(client).ConfigureAwait(false));
                }
                catch (Exception e)
                {
                    current.TrySetException(e);
                }

                lock (_lock)
                {
                    _running = _next;
                    _next = null;
                    if (_running is null)
                    {
                        return;
                    }
                }
            }
        }
    }
}
