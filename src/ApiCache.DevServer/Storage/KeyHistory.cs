namespace ApiCache.DevServer.Storage;

/// <summary>
/// The versions of one key that the in-memory store still needs, oldest first: the version visible
/// at the compacted revision and every later one. A deletion is kept as a version without a value
/// (a tombstone), so reads at earlier revisions still see the key as it was. Not thread-safe: the
/// store's lock guards it.
/// </summary>
internal sealed class KeyHistory
{
    private readonly List<Entry> _entries = new(1);

    /// <summary>The key's latest value; null when it is deleted.</summary>
    public StoreKeyValue? Current => _entries.Count == 0 ? null : _entries[^1].Value;

    /// <summary>The key's value at <paramref name="revision"/>; null when it did not exist then.</summary>
    public StoreKeyValue? At(long revision)
    {
        var index = LastAtOrBefore(revision);
        return index < 0 ? null : _entries[index].Value;
    }

    /// <summary>Records a change at <paramref name="revision"/> (newer than every recorded one); a null value is a deletion.</summary>
    public void Add(long revision, StoreKeyValue? value) => _entries.Add(new Entry(revision, value));

    /// <summary>
    /// Drops the versions that no read at or after <paramref name="revision"/> can see. Returns true
    /// when nothing is left, that is when the key is deleted as of that revision and was not written
    /// again: the store then forgets the key.
    /// </summary>
    public bool Compact(long revision)
    {
        var visible = LastAtOrBefore(revision);
        if (visible >= 0)
        {
            var drop = _entries[visible].Value is null ? visible + 1 : visible;
            _entries.RemoveRange(0, drop);
        }

        return _entries.Count == 0;
    }

    /// <summary>The index of the last version with a revision at or before <paramref name="revision"/>, or -1.</summary>
    private int LastAtOrBefore(long revision)
    {
        int low = 0, high = _entries.Count - 1, found = -1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            if (_entries[middle].Revision <= revision)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found;
    }

    /// <summary>One version: the revision of the change and the value it left (null: deleted).</summary>
    private readonly record struct Entry(long Revision, StoreKeyValue? Value);
}
