namespace ApiCache.Storage;

/// <summary>
/// A forward position in a <see cref="SortedObjectList"/>, or over a single object (an index value
/// held by one object keeps no list). <see cref="Current"/> is null once past the end. A mutable
/// struct: keep it in a local or field and advance it in place; invalid after the list changes.
/// </summary>
internal struct ObjectCursor
{
    private readonly SortedObjectList? _list;
    private int _chunk;
    private int _index;

    /// <summary>A cursor at a position of <paramref name="list"/>.</summary>
    public ObjectCursor(SortedObjectList list, int chunk, int index)
    {
        _list = list;
        _chunk = chunk;
        _index = index;
        Current = list.At(ref _chunk, ref _index);
    }

    /// <summary>A cursor over one object (or none when null).</summary>
    public ObjectCursor(CachedObject? single)
    {
        _list = null;
        _chunk = 0;
        _index = 0;
        Current = single;
    }

    /// <summary>The object at the cursor; null past the end.</summary>
    public CachedObject? Current { get; private set; }

    /// <summary>Moves to the next object in key order.</summary>
    public void MoveNext()
    {
        if (_list is null)
        {
            Current = null;
            return;
        }

        _index++;
        Current = _list.At(ref _chunk, ref _index);
    }
}
