using System.Collections.Frozen;
using ApiCache.Selectors;

namespace ApiCache.Storage;

/// <summary>
/// What the cache extracts from each object of one resource besides namespace, name, uid,
/// resourceVersion and labels: the values of a fixed list of field paths (the fields the apiserver
/// lets clients select on, plus the configured index fields), and which of them are indexed.
/// Immutable and shared by every object of the resource.
/// </summary>
/// <remarks>
/// A field's value is what the apiserver's field set holds for it. For most fields that is the JSON
/// value at the field path, but the built-in kinds compute a few from their internal (unversioned)
/// object, where absent numbers and booleans are zero and some v1 fields are folded together;
/// <see cref="ForBuiltIn"/> knows these (see <see cref="BuiltInRule"/>). The plain constructor reads
/// every field at its own path (custom resources' selectable fields and configured index fields).
/// </remarks>
internal sealed class ObjectSchema
{
    /// <summary>A <see cref="Segments"/> or <see cref="FallbackSegments"/> step meaning "the first item of an array".</summary>
    public const string FirstItem = "[0]";

    private const string MetadataName = "metadata.name";
    private const string MetadataNamespace = "metadata.namespace";

    /// <summary>Selectable fields whose values (nearly) never repeat across objects.</summary>
    private static readonly FrozenSet<string> UniqueValuedFields = FrozenSet.Create(
        StringComparer.Ordinal, "status.podIP", "involvedObject.uid", "involvedObject.resourceVersion");

    private readonly FrozenDictionary<string, int> _positions;

    /// <summary>Creates a schema that reads every field at its own path ("" when absent).</summary>
    /// <param name="fieldPaths">Dotted JSON paths of scalar fields (e.g. <c>spec.nodeName</c>); <c>metadata.name</c> and <c>metadata.namespace</c> are answered from the key and skipped here.</param>
    /// <param name="indexedFields">Which of the paths get a value → objects index (they are added to the extracted paths when missing).</param>
    public ObjectSchema(IEnumerable<string> fieldPaths, IEnumerable<string> indexedFields)
        : this(fieldPaths, indexedFields, static _ => null)
    {
    }

    private ObjectSchema(IEnumerable<string> fieldPaths, IEnumerable<string> indexedFields, Func<string, FieldRule?> rules)
    {
        ArgumentNullException.ThrowIfNull(fieldPaths);
        ArgumentNullException.ThrowIfNull(indexedFields);
        var indexed = indexedFields.Distinct(StringComparer.Ordinal).ToArray();
        var paths = fieldPaths.Concat(indexed)
            .Where(static p => p is not MetadataName and not MetadataNamespace)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        var ruled = paths.Select(rules).ToArray();
        FieldPaths = paths;
        UniqueValued = [.. paths.Select(static p => UniqueValuedFields.Contains(p))];
        Segments = [.. paths.Select((p, i) => ruled[i]?.Path ?? p.Split('.'))];
        FallbackSegments = [.. ruled.Select(static r => r?.Fallback)];
        AbsentValues = [.. ruled.Select(static r => r?.WhenAbsent ?? "")];
        _positions = paths.Select(static (p, i) => KeyValuePair.Create(p, i)).ToFrozenDictionary(StringComparer.Ordinal);
        IndexedFields = indexed.Where(static p => p is not MetadataName and not MetadataNamespace).ToArray();
        IndexedPositions = [.. IndexedFields.Select(p => _positions[p])];
    }

    /// <summary>A schema extracting nothing but the metadata every object has.</summary>
    public static ObjectSchema Empty { get; } = new([], []);

    /// <summary>The extracted field paths; an object's <see cref="CachedObject.GetField(int)"/> follows this order.</summary>
    public IReadOnlyList<string> FieldPaths { get; }

    /// <summary>
    /// Per field (in <see cref="FieldPaths"/> order): whether its values (nearly) never repeat across
    /// objects (pod IPs, uids). Those are not interned — they would only fill the interner — and each
    /// object's copy counts towards its <see cref="CachedObject.SizeInBytes"/>.
    /// </summary>
    public IReadOnlyList<bool> UniqueValued { get; }

    /// <summary>
    /// Where each field's value is read, as JSON property names from the object's root, in
    /// <see cref="FieldPaths"/> order: the field path split at its dots, except for the built-in
    /// fields whose JSON lives elsewhere (e.g. a Job's <c>status.successful</c> is <c>status.succeeded</c>).
    /// </summary>
    public IReadOnlyList<string[]> Segments { get; }

    /// <summary>
    /// Per field, where its value is read when the value at <see cref="Segments"/> is empty or absent
    /// (null: nowhere); <see cref="FirstItem"/> steps into an array's first item. E.g. a pod's
    /// <c>status.podIP</c> falls back to <c>status.podIPs[0].ip</c>.
    /// </summary>
    public IReadOnlyList<string[]?> FallbackSegments { get; }

    /// <summary>
    /// Per field, its value when both places are empty or absent: "" except for built-in numbers and
    /// booleans, which the apiserver renders from zero values (e.g. a pod's <c>spec.hostNetwork</c> is "false").
    /// </summary>
    public IReadOnlyList<string> AbsentValues { get; }

    /// <summary>The indexed field paths (a subset of <see cref="FieldPaths"/>).</summary>
    public IReadOnlyList<string> IndexedFields { get; }

    /// <summary>The positions in <see cref="FieldPaths"/> of <see cref="IndexedFields"/>, in the same order.</summary>
    public IReadOnlyList<int> IndexedPositions { get; }

    /// <summary>
    /// The schema of a built-in kind: the fields its field label conversion accepts
    /// (<see cref="FieldLabelConversion.ForBuiltIn"/>) plus <paramref name="indexedFields"/>, each
    /// rendered as that kind's field set renders it.
    /// </summary>
    /// <param name="group">The API group ("" for core).</param>
    /// <param name="kind">The kind, e.g. <c>Pod</c>.</param>
    /// <param name="indexedFields">Which fields get a value → objects index.</param>
    public static ObjectSchema ForBuiltIn(string group, string kind, IEnumerable<string> indexedFields)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(kind);
        return new ObjectSchema(FieldLabelConversion.ForBuiltIn(group, kind).SupportedFields, indexedFields, field => BuiltInRule(group, kind, field));
    }

    /// <summary>The position of <paramref name="fieldPath"/> in <see cref="FieldPaths"/>, or -1 when it is not extracted.</summary>
    public int IndexOf(string fieldPath) => _positions.TryGetValue(fieldPath, out var position) ? position : -1;

    /// <summary>
    /// How kube-apiserver v1.34 computes the built-in field sets where they differ from "the JSON value
    /// at the field path" (pkg/registry/*/strategy.go ToSelectableFields over the internal object, after
    /// v1 → internal conversion):
    /// <list type="bullet">
    /// <item>Pod <c>spec.hostNetwork</c>: from the pod security context, which conversion always creates: "false" when absent.</item>
    /// <item>Pod <c>status.podIP</c>: the internal pod has only <c>PodIPs</c> and the field is <c>PodIPs[0].IP</c>;
    /// conversion fills it from v1 <c>podIPs</c>, or from <c>podIP</c> when the list is empty (the apiserver
    /// writes both, equal); read here as <c>podIP</c>, else <c>podIPs[0].ip</c>.
    /// There is no <c>status.podIPs</c> entry in the set (the conversion accepts the label, the value is
    /// always ""), which the plain rule gives too: a list renders as "".</item>
    /// <item>Pod <c>spec.serviceAccountName</c>: the deprecated v1 <c>serviceAccount</c> when it is empty.</item>
    /// <item>Node <c>spec.unschedulable</c>: "false" when absent; ReplicationController <c>status.replicas</c>: "0" when absent.</item>
    /// <item>Job <c>status.successful</c>: the JSON field <c>status.succeeded</c>, "0" when absent.</item>
    /// <item>Event <c>source</c>: <c>source.component</c>, else <c>reportingComponent</c>.</item>
    /// </list>
    /// </summary>
    private static FieldRule? BuiltInRule(string group, string kind, string field) => (group, kind, field) switch
    {
        ("", "Pod", "spec.hostNetwork") => new(["spec", "hostNetwork"], null, "false"),
        ("", "Pod", "status.podIP") => new(["status", "podIP"], ["status", "podIPs", FirstItem, "ip"], ""),
        ("", "Pod", "spec.serviceAccountName") => new(["spec", "serviceAccountName"], ["spec", "serviceAccount"], ""),
        ("", "Node", "spec.unschedulable") => new(["spec", "unschedulable"], null, "false"),
        ("", "ReplicationController", "status.replicas") => new(["status", "replicas"], null, "0"),
        ("batch", "Job", "status.successful") => new(["status", "succeeded"], null, "0"),
        ("", "Event", "source") => new(["source", "component"], ["reportingComponent"], ""),
        _ => null,
    };

    /// <summary>Where one field is read and what it is when absent.</summary>
    private sealed record FieldRule(string[] Path, string[]? Fallback, string WhenAbsent);
}
