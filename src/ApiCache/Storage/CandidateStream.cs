namespace ApiCache.Storage;

/// <summary>
/// The candidate objects of one query execution, in key order: one cursor (a range of the primary
/// order, stopping when it leaves its namespace, or one index set), a min-heap merge of several index
/// sets (cost log2(k) comparisons per candidate), or a small sorted array (name lookups). A mutable
/// struct, advanced in place; invalid after the store changes.
/// </summary>
internal struct CandidateStream
{
    private readonly string? _rangeNamespace;
    private readonly ObjectCursor[]? _heap;
    private readonly CachedObject[]? _sorted;
    private ObjectCursor _cursor;
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

        if (live == 1)
        {
            return FromCursor(cursors[0]);
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
