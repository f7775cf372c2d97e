using System.Runtime.InteropServices;

namespace ApiCache.Storage;

/// <summary>
/// Value → the objects having that value, each set in key order: the building block of
/// <see cref="LabelIndex"/> (one per label key) and <see cref="FieldIndex"/>. A value held by a single
/// object stores the object itself instead of a list (labels unique per object, such as a
/// StatefulSet's pod name, would otherwise cost a list each). Values with no object are removed.
/// Not thread-safe.
/// </summary>
internal sealed class ValueIndex
{
    /// <summary>Per value either a <see cref="CachedObject"/> (one object) or a <see cref="SortedObjectList"/> (two or more).</summary>
    private readonly Dictionary<string, object> _postings = new(StringComparer.Ordinal);

    /// <summary>Number of (value, object) entries: the objects that have a value here.</summary>
    public int Count { get; private set; }

    /// <summary>Number of distinct values.</summary>
    public int ValueCount => _postings.Count;

    /// <summary>The distinct values (unordered).</summary>
    public IEnumerable<string> Values => _postings.Keys;

    /// <summary>Number of objects with <paramref name="value"/>.</summary>
    public int CountOf(string value) =>
        _postings.TryGetValue(value, out var posting) ? SizeOf(posting) : 0;

    /// <summary>Adds <paramref name="item"/> under <paramref name="value"/>, or replaces the object with its key there.</summary>
    public void Add(string value, CachedObject item)
    {
        ref var posting = ref CollectionsMarshal.GetValueRefOrAddDefault(_postings, value, out var exists);
        if (!exists)
        {
            posting = item;
            Count++;
            return;
        }

        if (posting is CachedObject single)
        {
            if (single.Key.Equals(item.Key))
            {
                posting = item;
                return;
            }

            var list = new SortedObjectList();
            list.AddOrReplace(single);
            list.AddOrReplace(item);
            posting = list;
            Count++;
            return;
        }

        if (((SortedObjectList)posting!).AddOrReplace(item) is null)
        {
            Count++;
        }
    }

    /// <summary>Swaps in a new version of an object already under <paramref name="value"/> (adds it when missing).</summary>
    public void Replace(string value, CachedObject item) => Add(value, item);

    /// <summary>Removes the object with <paramref name="key"/> from <paramref name="value"/>; false when it was not there.</summary>
    public bool Remove(string value, ObjectKey key)
    {
        if (!_postings.TryGetValue(value, out var posting))
        {
            return false;
        }

        if (posting is CachedObject single)
        {
            if (!single.Key.Equals(key))
            {
                return false;
            }

            _postings.Remove(value);
            Count--;
            return true;
        }

        var list = (SortedObjectList)posting;
        if (list.Remove(key) is null)
        {
            return false;
        }

        Count--;
        if (list.Count == 1)
        {
            _postings[value] = list.First().Current!;
        }

        return true;
    }

    /// <summary>A cursor over the objects with <paramref name="value"/> whose key is greater than <paramref name="startAfter"/> (all when null).</summary>
    public ObjectCursor Seek(string value, ObjectKey? startAfter) =>
        _postings.TryGetValue(value, out var posting) ? Seek(posting, startAfter) : default;

    /// <summary>
    /// Writes a cursor per value (as <see cref="Seek(string, ObjectKey?)"/>) into <paramref name="cursors"/>
    /// (at least <see cref="ValueCount"/> long), skipping exhausted ones; returns how many were written.
    /// </summary>
    public int SeekAll(ObjectCursor[] cursors, ObjectKey? startAfter)
    {
        ArgumentNullException.ThrowIfNull(cursors);
        var count = 0;
        foreach (var posting in _postings.Values)
        {
            var cursor = Seek(posting, startAfter);
            if (cursor.Current is not null)
            {
                cursors[count++] = cursor;
            }
        }

        return count;
    }

    /// <summary>Removes every value.</summary>
    public void Clear()
    {
        _postings.Clear();
        Count = 0;
    }

    /// <summary>Managed bytes of the lists and the dictionary, estimated from their sizes (for memory reports and tests).</summary>
    public long AllocatedBytes()
    {
        // Dictionary<string, object>: an int bucket plus a 24-byte entry per slot, and the two array headers.
        long bytes = 48 + (28L * _postings.EnsureCapacity(0));
        foreach (var posting in _postings.Values)
        {
            if (posting is SortedObjectList list)
            {
                bytes += 40 + list.AllocatedBytes();
            }
        }

        return bytes;
    }

    private static int SizeOf(object posting) => posting is CachedObject ? 1 : ((SortedObjectList)posting).Count;

    private static ObjectCursor Seek(object posting, ObjectKey? startAfter)
    {
        if (posting is CachedObject single)
        {
            return new ObjectCursor(startAfter is { } after && single.Key.CompareTo(after) <= 0 ? null : single);
        }

        var list = (SortedObjectList)posting;
        return startAfter is { } start ? list.SeekAfter(start) : list.First();
    }
}
