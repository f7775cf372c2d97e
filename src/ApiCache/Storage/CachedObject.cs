using System.Diagnostics.CodeAnalysis;
using ApiCache.Selectors;

namespace ApiCache.Storage;

/// <summary>
/// One object in the cache: its UTF-8 JSON exactly as an item of the apiserver's LIST response has it
/// (typed kinds without <c>kind</c>/<c>apiVersion</c>, custom resources with them), and the metadata
/// extracted from it once. Immutable: an update replaces the whole object. Lists and watches write
/// <see cref="Json"/> as it is; nothing is re-serialized.
/// </summary>
internal sealed class CachedObject : ILabelAccessor, IFieldAccessor
{
    /// <summary>
    /// Fixed cost of one cached object on 64-bit .NET beyond its JSON bytes: the byte[] header (type
    /// handle, object header, length) and this object (header, type handle, eight 8-byte fields).
    /// </summary>
    private const int FixedOverhead = 24 /* byte[] header */ + 16 + 72 /* this */;

    /// <summary>Header of a non-empty array (object header, type handle, length); empty arrays are shared.</summary>
    private const int ArrayHeader = 24;

    private readonly KeyValuePair<string, string>[] _labels;
    private readonly string[] _fields;

    /// <summary>Creates a cached object from already extracted metadata.</summary>
    /// <param name="json">The list-item form of the object; owned by this object from now on.</param>
    /// <param name="key">Namespace (empty when cluster-scoped) and name.</param>
    /// <param name="uid">metadata.uid (empty when absent).</param>
    /// <param name="resourceVersion">metadata.resourceVersion as an integer.</param>
    /// <param name="labels">metadata.labels sorted by key (ordinal).</param>
    /// <param name="fields">Values of <paramref name="schema"/>'s field paths, in its order ("" when absent).</param>
    /// <param name="schema">The resource's schema.</param>
    public CachedObject(
        byte[] json,
        ObjectKey key,
        string uid,
        long resourceVersion,
        KeyValuePair<string, string>[] labels,
        string[] fields,
        ObjectSchema schema)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(schema);
        if (fields.Length != schema.FieldPaths.Count)
        {
            throw new ArgumentException($"expected {schema.FieldPaths.Count} field values, got {fields.Length}", nameof(fields));
        }

        Json = json;
        Key = key;
        Uid = uid;
        ResourceVersion = resourceVersion;
        _labels = labels;
        _fields = fields;
        Schema = schema;
        SizeInBytes = EstimateSize(json, key, uid, labels, fields, schema);
    }

    /// <summary>A copy with other JSON and resource version sharing everything else (see <see cref="CopyWith"/>).</summary>
    private CachedObject(CachedObject source, byte[] json, long resourceVersion)
    {
        Json = json;
        Key = source.Key;
        Uid = source.Uid;
        ResourceVersion = resourceVersion;
        _labels = source._labels;
        _fields = source._fields;
        Schema = source.Schema;
        SizeInBytes = EstimateSize(json, Key, Uid, _labels, _fields, Schema);
    }

    /// <summary>The object's JSON in list-item form.</summary>
    public byte[] Json { get; }

    /// <summary>Namespace and name.</summary>
    public ObjectKey Key { get; }

    /// <summary>metadata.namespace ("" for cluster-scoped objects).</summary>
    public string Namespace => Key.Namespace;

    /// <summary>metadata.name.</summary>
    public string Name => Key.Name;

    /// <summary>metadata.uid.</summary>
    public string Uid { get; }

    /// <summary>metadata.resourceVersion.</summary>
    public long ResourceVersion { get; }

    /// <summary>metadata.labels, sorted by key.</summary>
    public ReadOnlySpan<KeyValuePair<string, string>> Labels => _labels;

    /// <summary>The resource's schema (which fields <see cref="GetField(int)"/> holds).</summary>
    public ObjectSchema Schema { get; }

    /// <summary>
    /// Bytes this object keeps alive on 64-bit .NET, estimated: its JSON, this object, the labels and
    /// fields arrays, and the strings not shared with other objects (name and uid). The namespace, label
    /// keys and values and field values come from the decoder's <see cref="StringInterner"/> and are
    /// not counted here (the interner's table is bounded on its own).
    /// </summary>
    public long SizeInBytes { get; }

    /// <summary>The value of the schema's field at <paramref name="position"/>; "" when the object lacks it.</summary>
    public string GetField(int position) => _fields[position];

    /// <summary>
    /// A copy whose JSON is <paramref name="json"/> and resource version <paramref name="resourceVersion"/>,
    /// sharing key, uid, labels and fields with this one. The caller guarantees that <paramref name="json"/>
    /// differs from <see cref="Json"/> in nothing those are extracted from (see <see cref="ObjectDecoder.WithResourceVersion"/>).
    /// </summary>
    public CachedObject CopyWith(byte[] json, long resourceVersion)
    {
        ArgumentNullException.ThrowIfNull(json);
        return new CachedObject(this, json, resourceVersion);
    }

    /// <inheritdoc/>
    public bool TryGetLabel(string key, [MaybeNullWhen(false)] out string value)
    {
        var low = 0;
        var high = _labels.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = string.CompareOrdinal(_labels[middle].Key, key);
            if (order == 0)
            {
                value = _labels[middle].Value;
                return true;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        value = null;
        return false;
    }

    /// <inheritdoc/>
    public string GetFieldValue(string field)
    {
        switch (field)
        {
            case "metadata.name":
                return Key.Name;
            case "metadata.namespace":
                return Key.Namespace;
            default:
                var position = Schema.IndexOf(field);
                return position < 0 ? "" : _fields[position];
        }
    }

    private static long EstimateSize(byte[] json, ObjectKey key, string uid, KeyValuePair<string, string>[] labels, string[] fields, ObjectSchema schema)
    {
        var size = FixedOverhead + Align(json.Length)
            + StringSize(key.Name) + StringSize(uid)
            + (labels.Length == 0 ? 0 : ArrayHeader + (labels.Length * 16L))
            + (fields.Length == 0 ? 0 : ArrayHeader + (fields.Length * 8L));
        for (var i = 0; i < fields.Length; i++)
        {
            // Values not interned are this object's own strings (constant renderings such as "true" are shared).
            if (schema.UniqueValued[i] && fields[i] is { Length: > 0 } own)
            {
                size += StringSize(own);
            }
        }

        return size;
    }

    /// <summary>A string's size: header, type handle, length, UTF-16 characters and terminator, rounded up to 8.</summary>
    private static long StringSize(string value) => value.Length == 0 ? 0 : Align(22 + (2L * value.Length));

    private static long Align(long size) => (size + 7) & ~7L;
}
