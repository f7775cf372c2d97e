using System.Collections.Frozen;

namespace ApiCache.Storage;

/// <summary>
/// What the cache extracts from each object of one resource besides namespace, name, uid,
/// resourceVersion and labels: the values of a fixed list of field paths (the fields the apiserver
/// lets clients select on, plus the configured index fields), and which of them are indexed.
/// Immutable and shared by every object of the resource.
/// </summary>
internal sealed class ObjectSchema
{
    private const string MetadataName = "metadata.name";
    private const string MetadataNamespace = "metadata.namespace";

    private readonly FrozenDictionary<string, int> _positions;

    /// <summary>Creates a schema.</summary>
    /// <param name="fieldPaths">Dotted JSON paths of scalar fields (e.g. <c>spec.nodeName</c>); <c>metadata.name</c> and <c>metadata.namespace</c> are answered from the key and skipped here.</param>
    /// <param name="indexedFields">Which of the paths get a value → objects index (they are added to the extracted paths when missing).</param>
    public ObjectSchema(IEnumerable<string> fieldPaths, IEnumerable<string> indexedFields)
    {
        ArgumentNullException.ThrowIfNull(fieldPaths);
        ArgumentNullException.ThrowIfNull(indexedFields);
        var indexed = indexedFields.Distinct(StringComparer.Ordinal).ToArray();
        var paths = fieldPaths.Concat(indexed)
            .Where(static p => p is not MetadataName and not MetadataNamespace)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        FieldPaths = paths;
        Segments = [.. paths.Select(static p => p.Split('.'))];
        _positions = paths.Select(static (p, i) => KeyValuePair.Create(p, i)).ToFrozenDictionary(StringComparer.Ordinal);
        IndexedFields = indexed.Where(static p => p is not MetadataName and not MetadataNamespace).ToArray();
        IndexedPositions = [.. IndexedFields.Select(p => _positions[p])];
    }

    /// <summary>A schema extracting nothing but the metadata every object has.</summary>
    public static ObjectSchema Empty { get; } = new([], []);

    /// <summary>The extracted field paths; an object's <see cref="CachedObject.GetField(int)"/> follows this order.</summary>
    public IReadOnlyList<string> FieldPaths { get; }

    /// <summary>Each field path split at its dots, in <see cref="FieldPaths"/> order.</summary>
    public IReadOnlyList<string[]> Segments { get; }

    /// <summary>The indexed field paths (a subset of <see cref="FieldPaths"/>).</summary>
    public IReadOnlyList<string> IndexedFields { get; }

    /// <summary>The positions in <see cref="FieldPaths"/> of <see cref="IndexedFields"/>, in the same order.</summary>
    public IReadOnlyList<int> IndexedPositions { get; }

    /// <summary>The position of <paramref name="fieldPath"/> in <see cref="FieldPaths"/>, or -1 when it is not extracted.</summary>
    public int IndexOf(string fieldPath) => _positions.TryGetValue(fieldPath, out var position) ? position : -1;
}
