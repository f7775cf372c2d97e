namespace ApiCache.Storage;

/// <summary>
/// The candidate objects of one query execution, in key order: one cursor (a range of the primary
/// order, stopping when it leaves its namespace, or one index set), a two-way merge of two index sets
/// (one key comparison per candidate, both cursors held in the stream itself), a min-heap merge of
/// more sets (about log2(k) comparisons per candidate), or a small sorted array (name lookups). A
/// mutable struct, advanced in place; invalid after the store changes.
/// </summary>
/// <remarks>
/// The two-way merge is the common <c>key in (a,b)</c> case: the cursor with the smaller current key is
/// always <see cref="_cursor"/>, so <see cref="Current"/> reads it directly and a step advances it and
/// compares the new key once with the other cursor's (whose key was already loaded).
/// </remarks>
internal struct CandidateStream
{
    private readonly string? _rangeNamespace;
    private readonly ObjectCursor[]? _heap;
    private readonly CachedObject[]? _sorted;
    private ObjectCursor _cursor;

    /// <summary>The second cursor of a two-way merge (its current key not less than <see cref="_cursor"/>'s); default otherwise.</summary>
    private ObjectCursor _other;
    private int _heapCount;
    private int _next;

    private CandidateStream(ObjectCursor cursor, string? rangeNamespace, ObjectCursor[]? heap, int heapCount, CachedObject[]? sorted)
    {
        _cursor = cursor;
        _rangeNamespace = rangeNamespace;
        _heap = heap;
        _heapCount = heapCount;
        _sorted = sorted;
        _next = 0;
        _other = default;
    }

    /// <summary>The current candidate; null when exhausted.</summary>
    public readonly CachedObject? Current
    {
        get
        {
            if (_heap is not null)
            {
                return _heapCount > 0 ? _heap[0].Current : null;
            }

            if (_sorted is not null)
            {
                return _next < _sorted.Length ? _sorted[_next] : null;
            }

            var current = _cursor.Current;
            return current is not null && _rangeNamespace is not null && !string.Equals(current.Namespace, _rangeNamespace, StringComparison.Ordinal)
                ? null
                : current;
        }
    }

    /// <summary>No candidates.</summary>
    public static CandidateStream Empty() => default;

    /// <summary>The objects of one cursor; with <paramref name="rangeNamespace"/> the stream ends at the first object of another namespace.</summary>
    public static CandidateStream FromCursor(ObjectCursor cursor, string? rangeNamespace = null) =>
        new(cursor, rangeNamespace, null, 0, null);

    /// <summary>Objects already in key order (the array is owned by the stream).</summary>
    public static CandidateStream FromSorted(CachedObject[] sorted) => new(default, null, null, 0, sorted);

    /// <summary>The key-ordered merge of the first <paramref name="count"/> cursors (the array is owned by the stream; exhausted cursors are dropped).</summary>
    public static CandidateStream Merge(ObjectCursor[] cursors, int count)
    {
        ArgumentNullException.ThrowIfNull(cursors);
        var live = 0;
        for (var i = 0; i < count; i++)
        {
            if (cursors[i].Current is not null)
            {
                cursors[live++] = cursors[i];
            }
        }

        if (live == 0)
        {
            return Empty();
        }

        if (live == 1)
        {
            return FromCursor(cursors[0]);
        }

        if (live == 2)
        {
            var first = Less(cursors[1], cursors[0]) ? 1 : 0;
            var stream = FromCursor(cursors[first]);
            stream._other = cursors[1 - first];
            return stream;
        }

        for (var i = (live / 2) - 1; i >= 0; i--)
        {
            SiftDown(cursors, live, i);
        }

        return new CandidateStream(default, null, cursors, live, null);
    }

    /// <summary>Moves to the next candidate.</summary>
    public void MoveNext()
    {
        if (_heap is not null)
        {
            if (_heapCount == 0)
            {
                return;
            }

            _heap[0].MoveNext();
            if (_heap[0].Current is null)
            {
                _heap[0] = _heap[--_heapCount];
                _heap[_heapCount] = default;
            }

            SiftDown(_heap, _heapCount, 0);
            return;
        }

        if (_sorted is not null)
        {
            _next++;
            return;
        }

        _cursor.MoveNext();
        var other = _other.Current;
        if (other is null)
        {
            return;
        }

        // Two-way merge: keep the smaller head in _cursor; when one side ends, the other goes on alone.
        var current = _cursor.Current;
        if (current is null)
        {
            _cursor = _other;
            _other = default;
        }
        else if (other.Key.CompareTo(current.Key) < 0)
        {
            (_cursor, _other) = (_other, _cursor);
        }
    }

    private static void SiftDown(ObjectCursor[] heap, int count, int position)
    {
        while (true)
        {
            var smallest = position;
            var left = (2 * position) + 1;
            var right = left + 1;
            if (left < count && Less(heap[left], heap[smallest]))
            {
                smallest = left;
            }

            if (right < count && Less(heap[right], heap[smallest]))
            {
                smallest = right;
            }

            if (smallest == position)
            {
                return;
            }

            (heap[position], heap[smallest]) = (heap[smallest], heap[position]);
            position = smallest;
        }
    }

    private static bool Less(in ObjectCursor a, in ObjectCursor b) => a.Current!.Key.CompareTo(b.Current!.Key) < 0;
}
