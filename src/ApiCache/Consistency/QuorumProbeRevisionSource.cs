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
/// equals <see cref="RevisionTarget.Current"/>. The sharing is <see cref="RevisionLookupCoalescer{TResult}"/>'s,
/// as for the etcd source.
/// </summary>
internal sealed class QuorumProbeRevisionSource : IRevisionSource
{
    /// <summary>The namespace probes of namespaced resources list: not expected to exist (if it does, a probe costs one object).</summary>
    public const string ProbeNamespace = "apicache-revision-probe";

    /// <summary>How long one probe may take; its waiters fall back when it fails.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, ListWatchClient> _clients = new(StringComparer.Ordinal);
    private readonly RevisionLookupCoalescer<long> _probes;
    private readonly UpstreamEndpointSet _endpoints;
    private readonly TimeProvider _time;

    public QuorumProbeRevisionSource(UpstreamEndpointSet endpoints, TimeProvider time)
    {
        _endpoints = endpoints;
        _time = time;
        _probes = new RevisionLookupCoalescer<long>((path, _) => ProbeAsync(path));
    }

    /// <summary>Probes sent upstream so far (coalescing makes this smaller than the reads).</summary>
    public long ProbeCount => _probes.LookupsStarted;

    /// <inheritdoc/>
    public async ValueTask<RevisionTarget> GetTargetAsync(CachedResourceReference resource, long cachedRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var revision = await _probes.GetAsync(ProbePath(resource), cachedRevision, cancellationToken).ConfigureAwait(false);
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

    private async Task<long> ProbeAsync(string path)
    {
        var client = _clients.GetOrAdd(path, p => new ListWatchClient(_endpoints, p, _time));
        using var timeout = new CancellationTokenSource(ProbeTimeout, _time);
        using var page = await client.ListPageAsync(continueToken: null, limit: 1, timeout.Token).ConfigureAwait(false);
        return page.ResourceVersion;
    }
}
