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
    /// <summary>Approximate fixed cost of one cached object beyond its JSON bytes (object and array headers, fields).</summary>
    private const int FixedOverhead = 24 /* byte[] header */ + 72 /* this */ + 32 /* labels and fields arrays */;

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
        SizeInBytes = FixedOverhead + json.Length + StringSize(key.Name) + StringSize(uid) + (labels.Length * 16) + (fields.Length * 8);
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
    /// Bytes this object keeps alive, estimated: its JSON plus headers and the strings not shared with
    /// other objects (namespace, label keys and values are interned by the store and not counted).
    /// </summary>
    public long SizeInBytes { get; }

    /// <summary>The value of the schema's field at <paramref name="position"/>; "" when the object lacks it.</summary>
    public string GetField(int position) => _fields[position];

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

    private static int StringSize(string value) => value.Length == 0 ? 0 : 22 + (2 * value.Length);
}
