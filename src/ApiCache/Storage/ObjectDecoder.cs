using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ApiCache.Storage;

/// <summary>
/// Decodes one object's JSON into a <see cref="CachedObject"/> in a single forward pass with
/// <see cref="Utf8JsonReader"/> (no document, no object graph): metadata.namespace, name, uid,
/// resourceVersion, labels, and the values of the schema's field paths, rendered as the apiserver's
/// field sets render them (strings unescaped, booleans <c>true</c>/<c>false</c>, numbers as their JSON
/// text, anything else absent; see <see cref="ObjectSchema"/> for the built-in kinds' exceptions).
/// </summary>
/// <remarks>
/// <para>
/// The stored JSON is the object's LIST-item form. Built-in kinds arrive in watch events and GETs as
/// <c>{"kind":"Pod","apiVersion":"v1","metadata":...}</c> but their list items have no kind/apiVersion;
/// when the first two properties are <c>kind</c> then <c>apiVersion</c>, they are dropped (the rest is
/// kept byte for byte). Custom resources (sorted keys: <c>apiVersion</c> first) and list items are kept
/// exactly. The stored array is a fresh copy of exactly its final size.
/// </para>
/// <para>
/// Per object it allocates the JSON copy, the labels and fields arrays, the <see cref="CachedObject"/>,
/// and the strings the <see cref="StringInterner"/> does not already hold (name and uid are never
/// interned: they are unique). Thread-safe: it keeps no per-call state.
/// </para>
/// </remarks>
internal sealed class ObjectDecoder : IObjectDecoder
{
    /// <summary>Go's encoding/json nesting limit; deeper input is not something an apiserver sends.</summary>
    private const int MaxDepth = 10_000;

    /// <summary>Properties up to this many bytes are unescaped and transcoded on the stack.</summary>
    private const int StackBufferSize = 256;

    /// <summary>Label buffers start with room for this many labels (rented from the shared pool).</summary>
    private const int InitialLabelCapacity = 16;

    private const string EmptyInput = "the input is empty: expected a JSON object";

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    private readonly PathNode _root;
    private readonly PathNode? _metadata;
    private readonly string[] _absentValues;
    private readonly bool _requireResourceVersion;

    /// <summary>Creates a decoder for one resource.</summary>
    /// <param name="schema">What to extract besides the standard metadata.</param>
    /// <param name="namespaced">Whether objects must have a namespace (true) or must not (false).</param>
    /// <param name="interner">Where namespaces, label keys and values and field values are interned; share one across resources. Null: a private one.</param>
    /// <param name="requireResourceVersion">
    /// Whether an object without <c>metadata.resourceVersion</c> is an error (it is in anything an
    /// apiserver sends); false for a store's own form, which stamps it in on reads (the dev server's
    /// selectors decode stored objects).
    /// </param>
    public ObjectDecoder(ObjectSchema schema, bool namespaced, StringInterner? interner = null, bool requireResourceVersion = true)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        Namespaced = namespaced;
        _requireResourceVersion = requireResourceVersion;
        Interner = interner ?? new StringInterner();
        _absentValues = [.. schema.AbsentValues];
        _root = PathNode.Build(schema);
        _metadata = _root.FindChild("metadata"u8);
    }

    /// <summary>The resource's schema (the decoded objects carry it).</summary>
    public ObjectSchema Schema { get; }

    /// <summary>Whether objects must carry a namespace.</summary>
    public bool Namespaced { get; }

    /// <summary>Where repeated strings are interned.</summary>
    public StringInterner Interner { get; }

    /// <summary>
    /// True when the object's first two properties are <c>kind</c> then <c>apiVersion</c> (strings):
    /// the form of a built-in kind's single object or watch event object, which <see cref="TryDecode(ReadOnlySpan{byte}, out CachedObject?, out string?)"/>
    /// stores without the pair. False for list items and custom resources, and for anything that is not a JSON object.
    /// </summary>
    public static bool HasLeadingTypeMeta(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject
                && IsStringProperty(ref reader, "kind"u8) && IsStringProperty(ref reader, "apiVersion"u8);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public bool TryDecode(ReadOnlySpan<byte> json, [NotNullWhen(true)] out CachedObject? cachedObject, [NotNullWhen(false)] out string? error) =>
        TryDecode(json, out cachedObject, out _, out error);

    /// <summary>
    /// Decodes like <see cref="TryDecode(ReadOnlySpan{byte}, out CachedObject?, out string?)"/> and tells
    /// whether the object carried a leading <c>kind</c>/<c>apiVersion</c> pair that was dropped
    /// (<paramref name="hadTypeMeta"/>: a built-in kind's watch event object or GET answer).
    /// </summary>
    public bool TryDecode(
        ReadOnlySpan<byte> json,
        [NotNullWhen(true)] out CachedObject? cachedObject,
        out bool hadTypeMeta,
        [NotNullWhen(false)] out string? error)
    {
        cachedObject = null;
        hadTypeMeta = false;
        if (json.TrimStart(" \t\r\n"u8).IsEmpty)
        {
            // Utf8JsonReader throws on input without a token.
            error = EmptyInput;
            return false;
        }

        var fields = _absentValues.Length == 0 ? [] : new string[_absentValues.Length];
        var metadata = new MetadataValues(ArrayPool<KeyValuePair<string, string>>.Shared.Rent(InitialLabelCapacity));
        try
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            error = ReadObject(ref reader, fields, ref metadata, out var start, out var end, out var typeMetaEnd)
                ?? Validate(ref metadata);
            if (error is not null)
            {
                return false;
            }

            for (var i = 0; i < fields.Length; i++)
            {
                if (string.IsNullOrEmpty(fields[i]))
                {
                    fields[i] = _absentValues[i];
                }
            }

            hadTypeMeta = typeMetaEnd >= 0;
            var copy = hadTypeMeta ? CopyWithoutTypeMeta(json, typeMetaEnd, end) : json[start..end].ToArray();
            cachedObject = new CachedObject(
                copy,
                new ObjectKey(metadata.Namespace ?? "", metadata.Name!),
                metadata.Uid ?? "",
                metadata.ResourceVersion,
                metadata.TakeLabels(),
                fields,
                Schema);
            return true;
        }
        catch (JsonException e)
        {
            error = "the object is not valid JSON: " + e.Message;
            return false;
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString on a string that is not valid UTF-8.
            error = "the object is not valid JSON: " + e.Message;
            return false;
        }
        finally
        {
            metadata.Dispose();
        }
    }

    /// <summary>
    /// A copy of <paramref name="cachedObject"/> at <paramref name="resourceVersion"/>: its JSON with
    /// <c>metadata.resourceVersion</c> replaced by the new decimal (a byte splice; nothing else changes),
    /// sharing labels and fields. Used for the synthetic DELETED events after a re-list. When the JSON has
    /// no resourceVersion, one is inserted where the apiserver writes it: after <c>uid</c>, else
    /// <c>namespace</c>, else <c>name</c> (ObjectMeta's field order); in a custom resource's JSON, whose
    /// keys are sorted (it starts with <c>apiVersion</c>), at its sorted place.
    /// </summary>
    /// <exception cref="ArgumentException">The JSON has no metadata object.</exception>
    public static CachedObject WithResourceVersion(CachedObject cachedObject, long resourceVersion)
    {
        ArgumentNullException.ThrowIfNull(cachedObject);
        ArgumentOutOfRangeException.ThrowIfNegative(resourceVersion);
        var json = cachedObject.Json;
        Span<byte> digits = stackalloc byte[20];
        resourceVersion.TryFormat(digits, out var digitCount, default, CultureInfo.InvariantCulture);
        digits = digits[..digitCount];

        var site = FindResourceVersionSite(json);
        var insertion = site.Replace
            ? digitCount + 2
            : (site.LeadingComma ? 1 : 0) + "\"resourceVersion\":\""u8.Length + digitCount + 1 + (site.TrailingComma ? 1 : 0);
        var result = GC.AllocateUninitializedArray<byte>(json.Length - (site.End - site.Start) + insertion);
        var output = result.AsSpan();
        json.AsSpan(0, site.Start).CopyTo(output);
        var at = site.Start;
        if (site.Replace)
        {
            output[at++] = (byte)'"';
        }
        else
        {
            if (site.LeadingComma)
            {
                output[at++] = (byte)',';
            }

            "\"resourceVersion\":\""u8.CopyTo(output[at..]);
            at += "\"resourceVersion\":\""u8.Length;
        }

        digits.CopyTo(output[at..]);
        at += digitCount;
        output[at++] = (byte)'"';
        if (!site.Replace && site.TrailingComma)
        {
            output[at++] = (byte)',';
        }

        json.AsSpan(site.End).CopyTo(output[at..]);
        return cachedObject.CopyWith(result, resourceVersion);
    }

    /// <summary>Reads the root object; returns an error message, or null with the object's byte range.</summary>
    private string? ReadObject(ref Utf8JsonReader reader, string[] fields, ref MetadataValues metadata, out int start, out int end, out int typeMetaEnd)
    {
        start = end = typeMetaEnd = -1;
        if (!reader.Read())
        {
            return EmptyInput;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return $"expected a JSON object, found {Describe(reader.TokenType)}";
        }

        start = (int)reader.TokenStartIndex;
        var index = 0;
        var kindFirst = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isKind = index == 0 && reader.ValueTextEquals("kind"u8);
            var isApiVersion = index == 1 && kindFirst && reader.ValueTextEquals("apiVersion"u8);
            var isMetadata = reader.ValueTextEquals("metadata"u8);
            var child = isMetadata ? null : _root.Find(ref reader);
            reader.Read();
            if (isKind)
            {
                kindFirst = reader.TokenType == JsonTokenType.String;
            }
            else if (isApiVersion && reader.TokenType == JsonTokenType.String)
            {
                typeMetaEnd = (int)reader.BytesConsumed;
            }

            if (isMetadata)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return $"metadata is {Describe(reader.TokenType)}, not an object";
                }

                var error = ReadMetadata(ref reader, fields, ref metadata);
                if (error is not null)
                {
                    return error;
                }
            }
            else if (child is not null)
            {
                Visit(ref reader, child, fields);
            }
            else
            {
                reader.Skip();
            }

            index++;
        }

        end = (int)reader.BytesConsumed;

        // Anything but whitespace after the object makes the reader throw (a single JSON value is expected).
        reader.Read();
        return null;
    }

    /// <summary>Reads the metadata object: the standard fields, labels, and any schema paths under metadata.</summary>
    private string? ReadMetadata(ref Utf8JsonReader reader, string[] fields, ref MetadataValues metadata)
    {
        metadata.Seen = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Schema paths under metadata (e.g. an index on metadata.generateName); rarely any.
            var child = _metadata?.Find(ref reader);
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                var error = ExpectString(ref reader, "metadata.name");
                if (error is not null)
                {
                    return error;
                }

                metadata.Name = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
            }
            else if (reader.ValueTextEquals("namespace"u8))
            {
                reader.Read();
                var error = ExpectString(ref reader, "metadata.namespace");
                if (error is not null)
                {
                    return error;
                }

                metadata.Namespace = reader.TokenType == JsonTokenType.Null ? null : InternValue(ref reader);
            }
            else if (reader.ValueTextEquals("uid"u8))
            {
                reader.Read();
                var error = ExpectString(ref reader, "metadata.uid");
                if (error is not null)
                {
                    return error;
                }

                metadata.Uid = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
            }
            else if (reader.ValueTextEquals("resourceVersion"u8))
            {
                reader.Read();
                var error = ReadResourceVersion(ref reader, ref metadata);
                if (error is not null)
                {
                    return error;
                }
            }
            else if (reader.ValueTextEquals("labels"u8))
            {
                reader.Read();
                var error = ReadLabels(ref reader, ref metadata);
                if (error is not null)
                {
                    return error;
                }

                continue;
            }
            else
            {
                reader.Read();
            }

            // The reader is on the value: a scalar for the standard fields above (checked), anything here.
            if (child is not null)
            {
                Visit(ref reader, child, fields);
            }
            else
            {
                reader.Skip();
            }
        }

        return null;
    }

    private static string? ReadResourceVersion(ref Utf8JsonReader reader, ref MetadataValues metadata)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            metadata.HasResourceVersion = false;
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return $"metadata.resourceVersion is {Describe(reader.TokenType)}, not a string";
        }

        if (!ResourceVersionText.TryRead(ref reader, out var resourceVersion))
        {
            return $"metadata.resourceVersion \"{reader.GetString()}\" is not a decimal integer";
        }

        metadata.ResourceVersion = resourceVersion;
        metadata.HasResourceVersion = true;
        return null;
    }

    private string? ReadLabels(ref Utf8JsonReader reader, ref MetadataValues metadata)
    {
        metadata.LabelCount = 0;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return $"metadata.labels is {Describe(reader.TokenType)}, not an object";
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = InternValue(ref reader);
            reader.Read();
            string value;
            if (reader.TokenType == JsonTokenType.String)
            {
                value = InternValue(ref reader);
            }
            else if (reader.TokenType == JsonTokenType.Null)
            {
                value = "";
            }
            else
            {
                return $"metadata.labels[\"{key}\"] is {Describe(reader.TokenType)}, not a string";
            }

            metadata.AddLabel(key, value);
        }

        return null;
    }

    /// <summary>Checks what every object must have once the whole object was read.</summary>
    private string? Validate(ref MetadataValues metadata)
    {
        if (!metadata.Seen)
        {
            return "the object has no metadata";
        }

        if (string.IsNullOrEmpty(metadata.Name))
        {
            return "the object has no metadata.name";
        }

        if (_requireResourceVersion && !metadata.HasResourceVersion)
        {
            return $"object {Identity(metadata)} has no metadata.resourceVersion";
        }

        if (Namespaced && string.IsNullOrEmpty(metadata.Namespace))
        {
            return $"object {Identity(metadata)} has no metadata.namespace, but the resource is namespaced";
        }

        if (!Namespaced && !string.IsNullOrEmpty(metadata.Namespace))
        {
            return $"object {Identity(metadata)} has metadata.namespace \"{metadata.Namespace}\", but the resource is cluster-scoped";
        }

        return null;
    }

    private static string Identity(in MetadataValues metadata) =>
        string.IsNullOrEmpty(metadata.Namespace) ? metadata.Name! : metadata.Namespace + "/" + metadata.Name;

    /// <summary>
    /// Records the value the reader is on for the fields whose path ends at <paramref name="node"/>,
    /// or walks into it for deeper paths. Scalars render as the apiserver's field sets render them;
    /// null, objects and arrays count as absent.
    /// </summary>
    private void Visit(ref Utf8JsonReader reader, PathNode node, string[] fields)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject when node.Children.Length > 0:
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var child = node.Find(ref reader);
                    reader.Read();
                    if (child is not null)
                    {
                        Visit(ref reader, child, fields);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }

                break;
            case JsonTokenType.StartArray when node.FirstItem is not null:
                if (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    Visit(ref reader, node.FirstItem, fields);
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        reader.Skip();
                    }
                }

                break;
            case JsonTokenType.String when node.Intern:
                node.Assign(fields, InternValue(ref reader));
                break;
            case JsonTokenType.String when node.Wants(fields):
                node.Assign(fields, reader.GetString()!);
                break;
            case JsonTokenType.Number when node.Intern:
                node.Assign(fields, Interner.Intern(reader.ValueSpan));
                break;
            case JsonTokenType.Number when node.Wants(fields):
                node.Assign(fields, Encoding.UTF8.GetString(reader.ValueSpan));
                break;
            case JsonTokenType.True:
                node.Assign(fields, "true");
                break;
            case JsonTokenType.False:
                node.Assign(fields, "false");
                break;
            default:
                reader.Skip();
                break;
        }
    }

    /// <summary>The string or property name the reader is on, unescaped and interned.</summary>
    private string InternValue(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return Interner.Intern(reader.ValueSpan);
        }

        // Unescaping never lengthens: one UTF-16 unit per source byte at most.
        var length = reader.ValueSpan.Length;
        char[]? rented = null;
        var buffer = length <= StackBufferSize ? stackalloc char[StackBufferSize] : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            return Interner.Intern(buffer[..reader.CopyString(buffer)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Null when the reader is on a string or null; else the error naming <paramref name="name"/>.</summary>
    private static string? ExpectString(ref Utf8JsonReader reader, string name) =>
        reader.TokenType is JsonTokenType.String or JsonTokenType.Null
            ? null
            : $"{name} is {Describe(reader.TokenType)}, not a string";

    /// <summary>The object without its leading kind/apiVersion pair: "{" and everything after the comma that follows them.</summary>
    private static byte[] CopyWithoutTypeMeta(ReadOnlySpan<byte> json, int typeMetaEnd, int end)
    {
        var comma = typeMetaEnd;
        while (json[comma] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            comma++;
        }

        // A validated object whose metadata follows the pair: the next structural byte is a comma.
        var rest = json[(comma + 1)..end];
        var copy = GC.AllocateUninitializedArray<byte>(1 + rest.Length);
        copy[0] = (byte)'{';
        rest.CopyTo(copy.AsSpan(1));
        return copy;
    }

    private static bool IsStringProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) =>
        reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals(name)
        && reader.Read() && reader.TokenType == JsonTokenType.String;

    /// <summary>Where <see cref="WithResourceVersion"/> writes: the old value's bytes, or an insertion point.</summary>
    private static ResourceVersionSite FindResourceVersionSite(byte[] json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ArgumentException("the cached JSON is not an object", nameof(json));
        }

        var sortedKeys = false;
        var first = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (first)
            {
                sortedKeys = reader.ValueTextEquals("apiVersion"u8);
                first = false;
            }

            var isMetadata = reader.ValueTextEquals("metadata"u8);
            reader.Read();
            if (isMetadata && reader.TokenType == JsonTokenType.StartObject)
            {
                return FindInMetadata(ref reader, sortedKeys);
            }

            reader.Skip();
        }

        throw new ArgumentException("the cached JSON has no metadata object", nameof(json));
    }

    private static ResourceVersionSite FindInMetadata(ref Utf8JsonReader reader, bool sortedKeys)
    {
        var open = (int)reader.BytesConsumed;
        int afterName = -1, afterNamespace = -1, afterUid = -1, lastEnd = -1, firstAfterInSortOrder = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex;
            if (reader.ValueTextEquals("resourceVersion"u8))
            {
                reader.Read();
                var valueStart = (int)reader.TokenStartIndex;
                reader.Skip();
                return new ResourceVersionSite(valueStart, (int)reader.BytesConsumed, Replace: true, LeadingComma: false, TrailingComma: false);
            }

            var which = reader.ValueTextEquals("uid"u8) ? 3 : reader.ValueTextEquals("namespace"u8) ? 2 : reader.ValueTextEquals("name"u8) ? 1 : 0;
            if (sortedKeys && firstAfterInSortOrder < 0 && SortsAfterResourceVersion(ref reader))
            {
                firstAfterInSortOrder = nameStart;
            }

            reader.Read();
            reader.Skip();
            lastEnd = (int)reader.BytesConsumed;
            switch (which)
            {
                case 1:
                    afterName = lastEnd;
                    break;
                case 2:
                    afterNamespace = lastEnd;
                    break;
                case 3:
                    afterUid = lastEnd;
                    break;
            }
        }

        if (sortedKeys)
        {
            return firstAfterInSortOrder >= 0
                ? new ResourceVersionSite(firstAfterInSortOrder, firstAfterInSortOrder, Replace: false, LeadingComma: false, TrailingComma: true)
                : lastEnd >= 0
                    ? new ResourceVersionSite(lastEnd, lastEnd, Replace: false, LeadingComma: true, TrailingComma: false)
                    : new ResourceVersionSite(open, open, Replace: false, LeadingComma: false, TrailingComma: false);
        }

        var anchor = afterUid >= 0 ? afterUid : afterNamespace >= 0 ? afterNamespace : afterName;
        return anchor >= 0
            ? new ResourceVersionSite(anchor, anchor, Replace: false, LeadingComma: true, TrailingComma: false)
            : new ResourceVersionSite(open, open, Replace: false, LeadingComma: false, TrailingComma: lastEnd >= 0);
    }

    /// <summary>True when the property name the reader is on sorts after "resourceVersion" (ordinal, as Go sorts map keys).</summary>
    private static bool SortsAfterResourceVersion(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan.SequenceCompareTo("resourceVersion"u8) > 0;
        }

        var name = reader.GetString()!;
        return string.CompareOrdinal(name, "resourceVersion") > 0;
    }

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };

    /// <summary>Where to write the new resourceVersion: replace [Start, End), or insert at Start (= End).</summary>
    private readonly record struct ResourceVersionSite(int Start, int End, bool Replace, bool LeadingComma, bool TrailingComma);

    /// <summary>The standard metadata read so far, and the labels in a pooled buffer.</summary>
    private struct MetadataValues(KeyValuePair<string, string>[] buffer) : IDisposable
    {
        private KeyValuePair<string, string>[] _buffer = buffer;

        public bool Seen { get; set; }

        public string? Name { get; set; }

        public string? Namespace { get; set; }

        public string? Uid { get; set; }

        public long ResourceVersion { get; set; }

        public bool HasResourceVersion { get; set; }

        public int LabelCount { get; set; }

        public void AddLabel(string key, string value)
        {
            if (LabelCount == _buffer.Length)
            {
                var larger = ArrayPool<KeyValuePair<string, string>>.Shared.Rent(_buffer.Length * 2);
                _buffer.AsSpan(0, LabelCount).CopyTo(larger);
                ArrayPool<KeyValuePair<string, string>>.Shared.Return(_buffer, clearArray: true);
                _buffer = larger;
            }

            _buffer[LabelCount++] = KeyValuePair.Create(key, value);
        }

        /// <summary>The labels sorted by key (ordinal), a key given twice keeping its last value, in an array of exactly their count.</summary>
        public readonly KeyValuePair<string, string>[] TakeLabels()
        {
            if (LabelCount == 0)
            {
                return [];
            }

            var labels = _buffer.AsSpan(0, LabelCount);
            var count = SortAndDeduplicate(labels);
            return labels[..count].ToArray();
        }

        public readonly void Dispose() => ArrayPool<KeyValuePair<string, string>>.Shared.Return(_buffer, clearArray: true);

        /// <summary>
        /// Sorts stably by key (apiserver JSON is already sorted, so this is one comparison per label)
        /// and drops all but the last of equal keys, as Go's decoder keeps the last; returns the count kept.
        /// </summary>
        private static int SortAndDeduplicate(Span<KeyValuePair<string, string>> labels)
        {
            for (var i = 1; i < labels.Length; i++)
            {
                var item = labels[i];
                var j = i - 1;
                while (j >= 0 && string.CompareOrdinal(labels[j].Key, item.Key) > 0)
                {
                    labels[j + 1] = labels[j];
                    j--;
                }

                labels[j + 1] = item;
            }

            var kept = 0;
            for (var i = 0; i < labels.Length; i++)
            {
                if (i + 1 < labels.Length && string.Equals(labels[i].Key, labels[i + 1].Key, StringComparison.Ordinal))
                {
                    continue;
                }

                labels[kept++] = labels[i];
            }

            return kept;
        }
    }

    /// <summary>
    /// One step of the schema's field paths, as a tree from the object's root: the fields whose value
    /// (or fallback value) is read here, the named steps below, and the step into an array's first item.
    /// </summary>
    private sealed class PathNode
    {

        private PathNode(string name)
        {
            Name = Encoding.UTF8.GetBytes(name);
        }

        /// <summary>The property name, UTF-8.</summary>
        public byte[] Name { get; }

        public PathNode[] Children { get; private set; } = [];

        public PathNode? FirstItem { get; private set; }

        /// <summary>Fields whose value is read here.</summary>
        public int[] Primary { get; private set; } = [];

        /// <summary>Fields whose fallback value is read here.</summary>
        public int[] Fallback { get; private set; } = [];

        /// <summary>
        /// Whether values read here are interned: false for fields whose values are nearly unique per
        /// object (pod IPs, uids), which would only fill the interner and never be shared.
        /// </summary>
        public bool Intern { get; private set; } = true;

        public static PathNode Build(ObjectSchema schema)
        {
            var root = new PathNode("");
            for (var field = 0; field < schema.FieldPaths.Count; field++)
            {
                var unique = schema.UniqueValued[field];
                var node = root.Descend(schema.Segments[field]);
                node.Primary = [.. node.Primary, field];
                node.Intern &= !unique;
                if (schema.FallbackSegments[field] is { } fallback)
                {
                    var fallbackNode = root.Descend(fallback);
                    fallbackNode.Fallback = [.. fallbackNode.Fallback, field];
                    fallbackNode.Intern &= !unique;
                }
            }

            return root;
        }

        /// <summary>The child named like the property name the reader is on, or null.</summary>
        public PathNode? Find(ref Utf8JsonReader reader)
        {
            foreach (var child in Children)
            {
                if (reader.ValueTextEquals(child.Name))
                {
                    return child;
                }
            }

            return null;
        }

        public PathNode? FindChild(ReadOnlySpan<byte> name)
        {
            foreach (var child in Children)
            {
                if (name.SequenceEqual(child.Name))
                {
                    return child;
                }
            }

            return null;
        }

        /// <summary>True when a value read here would be recorded (a primary field, or a fallback still empty).</summary>
        public bool Wants(string[] fields)
        {
            if (Primary.Length > 0)
            {
                return true;
            }

            foreach (var field in Fallback)
            {
                if (string.IsNullOrEmpty(fields[field]))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Records a rendered value: a non-empty value here wins over any fallback; a fallback value
        /// fills a field only while it is still empty.
        /// </summary>
        public void Assign(string[] fields, string value)
        {
            foreach (var field in Primary)
            {
                if (value.Length > 0 || fields[field] is null)
                {
                    fields[field] = value;
                }
            }

            if (value.Length > 0)
            {
                foreach (var field in Fallback)
                {
                    if (string.IsNullOrEmpty(fields[field]))
                    {
                        fields[field] = value;
                    }
                }
            }
        }

        private PathNode Descend(string[] segments)
        {
            var node = this;
            foreach (var segment in segments)
            {
                if (segment == ObjectSchema.FirstItem)
                {
                    node = node.FirstItem ??= new PathNode(segment);
                    continue;
                }

                var next = node.FindChild(Encoding.UTF8.GetBytes(segment));
                if (next is null)
                {
                    next = new PathNode(segment);
                    node.Children = [.. node.Children, next];
                }

                node = next;
            }

            return node;
        }
    }
}
