namespace ApiCache.Storage;

/// <summary>
/// One indexed field of a schema (pods: <c>spec.nodeName</c>): value → the objects with that value,
/// each set in key order. "" is a value like any other: objects lacking the field (unscheduled pods)
/// are indexed under "", so <c>spec.nodeName=</c> is an index lookup too. Answers exact matches
/// (<c>field=value</c>); <c>field!=value</c> is a filter. Values no object has any more are removed.
/// Updated incrementally by <see cref="ObjectStore"/>; not thread-safe.
/// </summary>
internal sealed class FieldIndex
{
    private readonly ValueIndex _values = new();

    /// <summary>Creates the index of the field at <paramref name="position"/> of the schema's field paths.</summary>
    public FieldIndex(string fieldPath, int position)
    {
        ArgumentNullException.ThrowIfNull(fieldPath);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        FieldPath = fieldPath;
        Position = position;
    }

    /// <summary>The field path, e.g. <c>spec.nodeName</c>.</summary>
    public string FieldPath { get; }

    /// <summary>The field's position in the schema (<see cref="CachedObject.GetField(int)"/>).</summary>
    public int Position { get; }

    /// <summary>Number of indexed objects (every object of the store has a value, maybe "").</summary>
    public int Count => _values.Count;

    /// <summary>Number of distinct values.</summary>
    public int ValueCount => _values.ValueCount;

    /// <summary>The value → objects sets.</summary>
    public ValueIndex Values => _values;

    /// <summary>Number of objects whose field is <paramref name="value"/>.</summary>
    public int CountOf(string value) => _values.CountOf(value);

    /// <summary>Indexes a new object.</summary>
    public void Add(CachedObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _values.Add(item.GetField(Position), item);
    }

    /// <summary>Removes an object leaving the store.</summary>
    public void Remove(CachedObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _values.Remove(item.GetField(Position), item.Key);
    }

    /// <summary>Moves an object to its new value, or only swaps the reference when the value did not change.</summary>
    public void Update(CachedObject previous, CachedObject current)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        var before = previous.GetField(Position);
        var after = current.GetField(Position);
        if (string.Equals(before, after, StringComparison.Ordinal))
        {
            _values.Replace(after, current);
            return;
        }

        _values.Remove(before, previous.Key);
        _values.Add(after, current);
    }

    /// <summary>Removes everything.</summary>
    public void Clear() => _values.Clear();
}
