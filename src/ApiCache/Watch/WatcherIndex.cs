using ApiCache.Storage;

namespace ApiCache.Watch;

/// <summary>
/// The watchers of one resource, indexed so an event touches only those that may care: a watcher
/// whose field selector pins an indexed field (a kubelet's <c>spec.nodeName</c>) sits in that value's
/// bucket, else one with a namespace in its namespace's bucket, else among the unfiltered ones. For an
/// event, the candidates are the buckets of the object's old and new trigger values, its namespace's
/// bucket and the unfiltered watchers; each candidate then applies its full filter. Owned by the
/// dispatch loop (not thread-safe).
/// </summary>
internal sealed class WatcherIndex
{
    private readonly List<Watcher> _all = [];
    private readonly List<Watcher> _unfiltered = [];
    private readonly Dictionary<string, List<Watcher>> _byNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<(int Position, string Value), List<Watcher>> _byTrigger = [];
    private readonly HashSet<int> _triggerPositions = [];

    /// <summary>Every indexed watcher, in no particular order (for bookmarks and closing all).</summary>
    public IReadOnlyList<Watcher> All => _all;

    /// <summary>How many watchers are indexed.</summary>
    public int Count => _all.Count;

    /// <summary>Adds a watcher.</summary>
    public void Add(Watcher watcher)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        watcher.Slot = _all.Count;
        _all.Add(watcher);
        BucketOf(watcher, create: true)!.Add(watcher);
        if (watcher.Filter.TriggerPosition >= 0)
        {
            _triggerPositions.Add(watcher.Filter.TriggerPosition);
        }
    }

    /// <summary>Removes a watcher (no-op when it is not indexed).</summary>
    public void Remove(Watcher watcher)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        var slot = watcher.Slot;
        if (slot < 0)
        {
            return;
        }

        var last = _all[^1];
        _all[slot] = last;
        last.Slot = slot;
        _all.RemoveAt(_all.Count - 1);
        watcher.Slot = -1;

        var bucket = BucketOf(watcher, create: false);
        if (bucket is not null)
        {
            var at = bucket.IndexOf(watcher);
            if (at >= 0)
            {
                bucket[at] = bucket[^1];
                bucket.RemoveAt(bucket.Count - 1);
            }

            if (bucket.Count == 0 && bucket != _unfiltered)
            {
                if (watcher.Filter.TriggerPosition >= 0)
                {
                    _byTrigger.Remove((watcher.Filter.TriggerPosition, watcher.Filter.TriggerValue!));
                }
                else
                {
                    _byNamespace.Remove(watcher.Filter.Namespace!);
                }
            }
        }
    }

    /// <summary>Adds to <paramref name="into"/> every watcher that may see <paramref name="e"/>, each once.</summary>
    public void Collect(WatchCacheEvent e, List<Watcher> into)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(into);
        into.AddRange(_unfiltered);
        var current = e.Object;
        if (current.Namespace.Length > 0 && _byNamespace.TryGetValue(current.Namespace, out var inNamespace))
        {
            into.AddRange(inNamespace);
        }

        foreach (var position in _triggerPositions)
        {
            var value = current.GetField(position);
            if (_byTrigger.TryGetValue((position, value), out var triggered))
            {
                into.AddRange(triggered);
            }

            if (e.Previous?.GetField(position) is string before && !string.Equals(before, value, StringComparison.Ordinal)
                && _byTrigger.TryGetValue((position, before), out var triggeredBefore))
            {
                into.AddRange(triggeredBefore);
            }
        }
    }

    private List<Watcher>? BucketOf(Watcher watcher, bool create)
    {
        var filter = watcher.Filter;
        if (filter.TriggerPosition >= 0)
        {
            var key = (filter.TriggerPosition, filter.TriggerValue!);
            if (!_byTrigger.TryGetValue(key, out var bucket) && create)
            {
                bucket = [];
                _byTrigger[key] = bucket;
            }

            return bucket;
        }

        if (filter.Namespace is string ns)
        {
            if (!_byNamespace.TryGetValue(ns, out var bucket) && create)
            {
                bucket = [];
                _byNamespace[ns] = bucket;
            }

            return bucket;
        }

        return _unfiltered;
    }
}
