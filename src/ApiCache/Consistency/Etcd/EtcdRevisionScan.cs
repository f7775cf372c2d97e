using ApiCache.Consistency.Etcd.Protocol;

namespace ApiCache.Consistency.Etcd;

/// <summary>
/// Reads the answers of one lookup's watch (started right after <c>fromRevision</c>) and decides
/// when every change up to <c>current</c> has been seen, and which was the last under the prefix.
/// etcd delivers one watcher's events in revision order, so the watch has shown everything up to
/// <c>current</c> once it shows a later event, the last fragment of an answer at <c>current</c>,
/// or (in <see cref="EtcdLookupMode.ProgressRequests"/>, where that is ordered) a progress answer
/// at or past <c>current</c>. A compacted start ends the scan inexactly.
/// </summary>
internal sealed class EtcdRevisionScan
{
    private readonly byte[] _prefix;
    private readonly long _current;
    private readonly EtcdLookupMode _mode;

    /// <summary>Starts a scan.</summary>
    /// <param name="prefix">The resource's key prefix; events for other keys (whole-keyspace watches) only mark progress.</param>
    /// <param name="fromRevision">The revision the watch started after.</param>
    /// <param name="current">etcd's current revision, learned before the watch started.</param>
    /// <param name="mode">How the watch learns its progress.</param>
    public EtcdRevisionScan(byte[] prefix, long fromRevision, long current, EtcdLookupMode mode)
    {
        _prefix = prefix;
        _current = current;
        _mode = mode;
        LastChange = fromRevision;
    }

    /// <summary>The last revision up to the current one that changed the prefix (the start revision when none did yet).</summary>
    public long LastChange { get; private set; }

    /// <summary>Everything up to the current revision has been seen (or cannot be).</summary>
    public bool IsDone { get; private set; }

    /// <summary>False once the watch's start turned out to be compacted.</summary>
    public bool IsExact { get; private set; } = true;

    /// <summary>The result, once <see cref="IsDone"/>.</summary>
    public EtcdLookupResult Result => new(_current, IsExact ? LastChange : _current, IsExact);

    /// <summary>
    /// Takes one watch answer in; returns <see cref="IsDone"/>. Throws <see cref="EtcdRpcException"/>
    /// when etcd refused or cancelled the watch for a reason other than compaction.
    /// </summary>
    public bool Observe(WatchResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (IsDone)
        {
            return true;
        }

        if (response.CompactRevision > 0)
        {
            // The history from the start revision is gone: which revisions changed the prefix is unknowable.
            IsExact = false;
            return IsDone = true;
        }

        if (response.Canceled)
        {
            var reason = response.CancelReason.Length > 0 ? response.CancelReason : "no reason given";
            throw new EtcdRpcException($"etcd cancelled the revision lookup's watch: {reason}");
        }

        if (response.Created)
        {
            return false;
        }

        if (response.Events.Count == 0)
        {
            // A progress answer: everything up to its revision was delivered before it (where that holds).
            IsDone = _mode == EtcdLookupMode.ProgressRequests && response.Header is { } header && header.Revision >= _current;
            return IsDone;
        }

        var latest = 0L;
        foreach (var change in response.Events)
        {
            var revision = change.Kv?.ModRevision ?? 0;
            if (revision > _current)
            {
                // Ordered delivery: nothing at or before the current revision can follow.
                return IsDone = true;
            }

            latest = Math.Max(latest, revision);
            if (revision > LastChange && change.Kv!.Key.Span.StartsWith(_prefix))
            {
                LastChange = revision;
            }
        }

        // The current revision's changes all came unless more fragments of this answer follow.
        IsDone = LastChange == _current || (latest == _current && !response.Fragment);
        return IsDone;
    }
}
