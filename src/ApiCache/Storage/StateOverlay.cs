namespace ApiCache.Storage;

/// <summary>
/// How the state at an older resource version differs from the current state: for every key changed
/// since that version, the object as it was then (null when it did not exist then). Built by the event
/// history; a store query applied through it sees the past state. Immutable once built.
/// </summary>
internal sealed class StateOverlay
{
    private readonly SortedDictionary<ObjectKey, CachedObject?> _entries;

    /// <summary>Creates an overlay for <paramref name="resourceVersion"/> from the keys' states at that version.</summary>
    public StateOverlay(long resourceVersion, SortedDictionary<ObjectKey, CachedObject?> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ResourceVersion = resourceVersion;
        _entries = entries;
    }

    /// <summary>The resource version whose state this overlay rebuilds.</summary>
    public long ResourceVersion { get; }

    /// <summary>Number of keys that differ from the current state.</summary>
    public int Count => _entries.Count;

    /// <summary>The changed keys in key order, with their state at <see cref="ResourceVersion"/> (null: absent then).</summary>
    public IEnumerable<KeyValuePair<ObjectKey, CachedObject?>> Entries => _entries;

    /// <summary>True when <paramref name="key"/> changed since <see cref="ResourceVersion"/>; <paramref name="past"/> is its state then (null: absent).</summary>
    public bool TryGetPast(ObjectKey key, out CachedObject? past) => _entries.TryGetValue(key, out past);
}
