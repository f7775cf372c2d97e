namespace ApiCache.Storage;

/// <summary>
/// Label key → value → the objects with that label, each set in key order, plus per-key totals.
/// Answers <c>app=x</c>, <c>app==x</c>, <c>app in (a,b)</c> and <c>app</c> (exists) from the sets; the
/// negative operators (<c>!app</c>, <c>app!=x</c>, <c>app notin (..)</c>) and <c>&gt;</c>/<c>&lt;</c>
/// cannot be, and are checked as filters on another source (a query of <c>!app</c> alone is a scan
/// of its namespace or of everything). Keys and values that no object has any more are removed.
/// Updated incrementally by <see cref="ObjectStore"/>; not thread-safe.
/// </summary>
internal sealed class LabelIndex
{
    private readonly Dictionary<string, ValueIndex> _keys = new(StringComparer.Ordinal);

    /// <summary>Number of distinct label keys.</summary>
    public int KeyCount => _keys.Count;

    /// <summary>Number of (object, label) entries.</summary>
    public long EntryCount { get; private set; }

    /// <summary>The distinct label keys (unordered).</summary>
    public IEnumerable<string> Keys => _keys.Keys;

    /// <summary>Number of objects that have label <paramref name="key"/> (any value).</summary>
    public int CountOf(string key) => _keys.TryGetValue(key, out var values) ? values.Count : 0;

    /// <summary>Number of objects whose label <paramref name="key"/> is <paramref name="value"/>.</summary>
    public int CountOf(string key, string value) => _keys.TryGetValue(key, out var values) ? values.CountOf(value) : 0;

    /// <summary>Number of distinct values of label <paramref name="key"/>.</summary>
    public int ValueCountOf(string key) => _keys.TryGetValue(key, out var values) ? values.ValueCount : 0;

    /// <summary>The values of label <paramref name="key"/>, or null when no object has it.</summary>
    public ValueIndex? Find(string key) => _keys.TryGetValue(key, out var values) ? values : null;

    /// <summary>Indexes every label of a new object.</summary>
    public void Add(CachedObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        foreach (var label in item.Labels)
        {
            AddLabel(label.Key, label.Value, item);
        }
    }

    /// <summary>Removes every label of an object leaving the store.</summary>
    public void Remove(CachedObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        foreach (var label in item.Labels)
        {
            RemoveLabel(label.Key, label.Value, item.Key);
        }
    }

    /// <summary>
    /// Moves an object from its previous labels to its current ones: labels that did not change only
    /// get the new object reference; changed, added and removed labels move between sets. Both label
    /// arrays are sorted by key, so this is one merge walk.
    /// </summary>
    public void Update(CachedObject previous, CachedObject current)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        var before = previous.Labels;
        var after = current.Labels;
        int i = 0, j = 0;
        while (i < before.Length || j < after.Length)
        {
            var order = i >= before.Length ? 1 : j >= after.Length ? -1 : string.CompareOrdinal(before[i].Key, after[j].Key);
            if (order < 0)
            {
                RemoveLabel(before[i].Key, before[i].Value, previous.Key);
                i++;
            }
            else if (order > 0)
            {
                AddLabel(after[j].Key, after[j].Value, current);
                j++;
            }
            else
            {
                if (string.Equals(before[i].Value, after[j].Value, StringComparison.Ordinal))
                {
                    _keys[after[j].Key].Replace(after[j].Value, current);
                }
                else
                {
                    RemoveLabel(before[i].Key, before[i].Value, previous.Key);
                    AddLabel(after[j].Key, after[j].Value, current);
                }

                i++;
                j++;
            }
        }
    }

    /// <summary>Removes everything.</summary>
    public void Clear()
    {
        _keys.Clear();
        EntryCount = 0;
    }

    /// <summary>Managed bytes of the index structures, estimated from their sizes (for memory reports and tests).</summary>
    public long AllocatedBytes()
    {
        long bytes = 48 + (28L * _keys.EnsureCapacity(0));
        foreach (var values in _keys.Values)
        {
            bytes += 32 + values.AllocatedBytes();
        }

        return bytes;
    }

    private void AddLabel(string key, string value, CachedObject item)
    {
        if (!_keys.TryGetValue(key, out var values))
        {
            values = new ValueIndex();
            _keys.Add(key, values);
        }

        var before = values.Count;
        values.Add(value, item);
        EntryCount += values.Count - before;
    }

    private void RemoveLabel(string key, string value, ObjectKey objectKey)
    {
        if (!_keys.TryGetValue(key, out var values) || !values.Remove(value, objectKey))
        {
            return;
        }

        EntryCount--;
        if (values.Count == 0)
        {
            _keys.Remove(key);
        }
    }
}
