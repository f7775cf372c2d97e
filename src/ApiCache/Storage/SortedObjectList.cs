namespace ApiCache.Storage;

/// <summary>
/// Cached objects kept in <see cref="ObjectKey"/> order, at most one per key: a list of sorted chunks
/// (each at most <see cref="MaxChunkSize"/> references) with a small chunk directory. It is both the
/// store's primary order and every index's posting list, so index candidates come out in key order
/// and a query can seek past a continue key and stop after its limit without sorting anything.
/// </summary>
/// <remarks>
/// <para>Cost: a lookup is a binary search over the chunks' last keys and then within one chunk
/// (about log2(n) key comparisons); an insert or removal moves at most one chunk's references.
/// Memory is about 8 bytes per object plus chunk slack: chunks grow by doubling up to the maximum,
/// ascending inserts (a LIST arrives in key order) leave full chunks behind, random inserts leave
/// chunks half to fully used, and shrinking chunks are compacted or merged with a neighbour.</para>
/// <para>Not thread-safe; cursors (<see cref="ObjectCursor"/>) are invalid after any change.</para>
/// </remarks>
internal sealed class SortedObjectList
{
    /// <summary>Largest chunk: an insert moves at most this many references (2 KiB).</summary>
    public const int MaxChunkSize = 256;

    private const int InitialChunkCapacity = 4;

    private CachedObject[][] _chunks = [];
    private int[] _counts = [];
    private int _chunkCount;

    /// <summary>Number of objects.</summary>
    public int Count { get; private set; }

    /// <summary>Number of chunks (for tests and memory estimates).</summary>
    public int ChunkCount => _chunkCount;

    /// <summary>The object with <paramref name="key"/>, or null.</summary>
    public CachedObject? Get(ObjectKey key)
    {
        if (Count == 0)
        {
            return null;
        }

        var chunk = FindChunk(key);
        var index = LowerBound(chunk, key);
        var items = _chunks[chunk];
        return index < _counts[chunk] && items[index].Key.Equals(key) ? items[index] : null;
    }

    /// <summary>Adds <paramref name="value"/>, or replaces the object with the same key; returns the replaced one.</summary>
    public CachedObject? AddOrReplace(CachedObject value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_chunkCount == 0)
        {
            InsertChunk(0, new CachedObject[InitialChunkCapacity]);
            _chunks[0][0] = value;
            _counts[0] = 1;
            Count = 1;
            return null;
        }

        var key = value.Key;
        var chunk = FindChunk(key);
        var index = LowerBound(chunk, key);
        var items = _chunks[chunk];
        if (index < _counts[chunk] && items[index].Key.Equals(key))
        {
            var previous = items[index];
            items[index] = value;
            return previous;
        }

        InsertAt(chunk, index, value);
        Count++;
        return null;
    }

    /// <summary>Removes the object with <paramref name="key"/>; returns it, or null when there was none.</summary>
    public CachedObject? Remove(ObjectKey key)
    {
        if (Count == 0)
        {
            return null;
        }

        var chunk = FindChunk(key);
        var index = LowerBound(chunk, key);
        var items = _chunks[chunk];
        var count = _counts[chunk];
        if (index >= count || !items[index].Key.Equals(key))
        {
            return null;
        }

        var removed = items[index];
        Array.Copy(items, index + 1, items, index, count - index - 1);
        items[count - 1] = null!;
        _counts[chunk] = --count;
        Count--;
        Compact(chunk);
        return removed;
    }

    /// <summary>Removes everything and releases the chunks.</summary>
    public void Clear()
    {
        _chunks = [];
        _counts = [];
        _chunkCount = 0;
        Count = 0;
    }

    /// <summary>A cursor at the first object.</summary>
    public ObjectCursor First() => _chunkCount == 0 ? default : new ObjectCursor(this, 0, 0);

    /// <summary>A cursor at the first object whose key is greater than <paramref name="key"/> (a continue key is exclusive).</summary>
    public ObjectCursor SeekAfter(ObjectKey key)
    {
        if (Count == 0)
        {
            return default;
        }

        var chunk = FindChunk(key);
        return CursorAt(chunk, UpperBound(chunk, key));
    }

    /// <summary>A cursor at the first object whose key is not less than <paramref name="key"/>.</summary>
    public ObjectCursor SeekAtOrAfter(ObjectKey key)
    {
        if (Count == 0)
        {
            return default;
        }

        var chunk = FindChunk(key);
        return CursorAt(chunk, LowerBound(chunk, key));
    }

    /// <summary>
    /// Number of objects whose key is less than <paramref name="key"/>, or not greater when
    /// <paramref name="inclusive"/>. Costs a search plus one addition per chunk before it.
    /// </summary>
    public int Rank(ObjectKey key, bool inclusive)
    {
        if (Count == 0)
        {
            return 0;
        }

        var chunk = FindChunk(key);
        var rank = inclusive ? UpperBound(chunk, key) : LowerBound(chunk, key);
        for (var i = 0; i < chunk; i++)
        {
            rank += _counts[i];
        }

        return rank;
    }

    /// <summary>Objects in key order. Do not change the list while enumerating.</summary>
    public IEnumerable<CachedObject> Enumerate()
    {
        for (var chunk = 0; chunk < _chunkCount; chunk++)
        {
            var items = _chunks[chunk];
            var count = _counts[chunk];
            for (var i = 0; i < count; i++)
            {
                yield return items[i];
            }
        }
    }

    /// <summary>Managed bytes of the chunk arrays and directory (headers included), for memory estimates and tests.</summary>
    public long AllocatedBytes()
    {
        long bytes = 0;
        for (var i = 0; i < _chunkCount; i++)
        {
            bytes += 24 + (8L * _chunks[i].Length);
        }

        return bytes + 24 + (8L * _chunks.Length) + 24 + (4L * _counts.Length);
    }

    /// <summary>The object at a position, or null past the end; moves to the next chunk when the index is past this one.</summary>
    internal CachedObject? At(ref int chunk, ref int index)
    {
        while (chunk < _chunkCount)
        {
            if (index < _counts[chunk])
            {
                return _chunks[chunk][index];
            }

            chunk++;
            index = 0;
        }

        return null;
    }

    private ObjectCursor CursorAt(int chunk, int index)
    {
        if (index >= _counts[chunk])
        {
            chunk++;
            index = 0;
        }

        return chunk >= _chunkCount ? default : new ObjectCursor(this, chunk, index);
    }

    /// <summary>The first chunk whose last key is not less than <paramref name="key"/>; the last chunk when every key is less.</summary>
    private int FindChunk(ObjectKey key)
    {
        var low = 0;
        var high = _chunkCount - 1;
        while (low < high)
        {
            var middle = low + ((high - low) >> 1);
            if (_chunks[middle][_counts[middle] - 1].Key.CompareTo(key) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>The first index in <paramref name="chunk"/> whose key is not less than <paramref name="key"/>.</summary>
    private int LowerBound(int chunk, ObjectKey key)
    {
        var items = _chunks[chunk];
        var low = 0;
        var high = _counts[chunk];
        while (low < high)
        {
            var middle = low + ((high - low) >> 1);
            if (items[middle].Key.CompareTo(key) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>The first index in <paramref name="chunk"/> whose key is greater than <paramref name="key"/>.</summary>
    private int UpperBound(int chunk, ObjectKey key)
    {
        var items = _chunks[chunk];
        var low = 0;
        var high = _counts[chunk];
        while (low < high)
        {
            var middle = low + ((high - low) >> 1);
            if (items[middle].Key.CompareTo(key) <= 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private void InsertAt(int chunk, int index, CachedObject value)
    {
        var count = _counts[chunk];
        if (count < MaxChunkSize)
        {
            InsertIntoChunk(chunk, index, value);
            return;
        }

        // A full chunk. At its end (ascending inserts): use the next chunk's room, or start a new chunk,
        // so the full chunk stays full. At its start: the previous chunk's end is the same position.
        if (index == count)
        {
            if (chunk + 1 < _chunkCount && _counts[chunk + 1] < MaxChunkSize)
            {
                InsertIntoChunk(chunk + 1, 0, value);
            }
            else
            {
                InsertChunk(chunk + 1, new CachedObject[InitialChunkCapacity]);
                _chunks[chunk + 1][0] = value;
                _counts[chunk + 1] = 1;
            }

            return;
        }

        if (index == 0 && chunk > 0 && _counts[chunk - 1] < MaxChunkSize)
        {
            InsertIntoChunk(chunk - 1, _counts[chunk - 1], value);
            return;
        }

        // Split in halves, then insert into the half the position falls in.
        var items = _chunks[chunk];
        const int half = MaxChunkSize / 2;
        var right = new CachedObject[MaxChunkSize];
        Array.Copy(items, half, right, 0, count - half);
        Array.Clear(items, half, count - half);
        _counts[chunk] = half;
        InsertChunk(chunk + 1, right);
        _counts[chunk + 1] = count - half;
        if (index <= half)
        {
            InsertIntoChunk(chunk, index, value);
        }
        else
        {
            InsertIntoChunk(chunk + 1, index - half, value);
        }
    }

    private void InsertIntoChunk(int chunk, int index, CachedObject value)
    {
        var items = _chunks[chunk];
        var count = _counts[chunk];
        if (count == items.Length)
        {
            var grown = new CachedObject[Math.Min(items.Length * 2, MaxChunkSize)];
            Array.Copy(items, 0, grown, 0, index);
            Array.Copy(items, index, grown, index + 1, count - index);
            _chunks[chunk] = items = grown;
        }
        else
        {
            Array.Copy(items, index, items, index + 1, count - index);
        }

        items[index] = value;
        _counts[chunk] = count + 1;
    }

    /// <summary>After a removal: drops an empty chunk, merges a small one into a neighbour, or shrinks its array.</summary>
    private void Compact(int chunk)
    {
        var count = _counts[chunk];
        if (count == 0)
        {
            RemoveChunk(chunk);
            return;
        }

        const int mergeLimit = MaxChunkSize / 2;
        if (chunk + 1 < _chunkCount && count + _counts[chunk + 1] <= mergeLimit)
        {
            MergeWithNext(chunk);
            return;
        }

        if (chunk > 0 && count + _counts[chunk - 1] <= mergeLimit)
        {
            MergeWithNext(chunk - 1);
            return;
        }

        var items = _chunks[chunk];
        if (items.Length > InitialChunkCapacity && count <= items.Length / 4)
        {
            var shrunk = new CachedObject[Math.Max(InitialChunkCapacity, items.Length / 2)];
            Array.Copy(items, shrunk, count);
            _chunks[chunk] = shrunk;
        }
    }

    private void MergeWithNext(int chunk)
    {
        var left = _chunks[chunk];
        var leftCount = _counts[chunk];
        var right = _chunks[chunk + 1];
        var rightCount = _counts[chunk + 1];
        var total = leftCount + rightCount;
        if (left.Length < total)
        {
            var capacity = left.Length;
            while (capacity < total)
            {
                capacity *= 2;
            }

            var grown = new CachedObject[Math.Min(capacity, MaxChunkSize)];
            Array.Copy(left, grown, leftCount);
            _chunks[chunk] = left = grown;
        }

        Array.Copy(right, 0, left, leftCount, rightCount);
        _counts[chunk] = total;
        RemoveChunk(chunk + 1);
    }

    private void InsertChunk(int position, CachedObject[] items)
    {
        if (_chunkCount == _chunks.Length)
        {
            var capacity = Math.Max(1, _chunks.Length * 2);
            Array.Resize(ref _chunks, capacity);
            Array.Resize(ref _counts, capacity);
        }

        Array.Copy(_chunks, position, _chunks, position + 1, _chunkCount - position);
        Array.Copy(_counts, position, _counts, position + 1, _chunkCount - position);
        _chunks[position] = items;
        _counts[position] = 0;
        _chunkCount++;
    }

    private void RemoveChunk(int position)
    {
        _chunkCount--;
        Array.Copy(_chunks, position + 1, _chunks, position, _chunkCount - position);
        Array.Copy(_counts, position + 1, _counts, position, _chunkCount - position);
        _chunks[_chunkCount] = null!;
        _counts[_chunkCount] = 0;
        if (_chunkCount == 0)
        {
            _chunks = [];
            _counts = [];
        }
        else if (_chunks.Length > 4 && _chunkCount <= _chunks.Length / 4)
        {
            Array.Resize(ref _chunks, _chunks.Length / 2);
            Array.Resize(ref _counts, _counts.Length / 2);
        }
    }
}
