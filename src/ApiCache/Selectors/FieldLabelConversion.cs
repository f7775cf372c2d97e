using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace ApiCache.Selectors;

/// <summary>
/// Which field selector fields one kind supports and how the apiserver rejects the others: its
/// per-kind field label conversion (<c>scheme.ConvertFieldLabel</c>), applied to every term of a parsed
/// <see cref="FieldSelector"/> before a list or watch. Built-in kinds without a conversion func of their
/// own accept only <c>metadata.name</c> and <c>metadata.namespace</c>; a few kinds rename legacy fields
/// (pods: <c>spec.host</c> is <c>spec.nodeName</c>). Immutable and shareable.
/// </summary>
internal sealed class FieldLabelConversion
{
    private const string MetadataName = "metadata.name";
    private const string MetadataNamespace = "metadata.namespace";

    private static readonly FrozenDictionary<string, string> NoAliases = FrozenDictionary<string, string>.Empty;

    /// <summary>Creates a conversion accepting <paramref name="supportedFields"/> (and the alias names).</summary>
    /// <param name="supportedFields">The fields accepted as they are.</param>
    /// <param name="errorStyle">How unsupported fields are reported.</param>
    /// <param name="aliases">Legacy field names and the field each stands for.</param>
    /// <param name="kindName">The kind as <see cref="FieldSelectorErrorStyle.NotSupportedForKind"/> names it, e.g. <c>batchv1.Job</c>.</param>
    public FieldLabelConversion(
        IEnumerable<string> supportedFields,
        FieldSelectorErrorStyle errorStyle,
        IReadOnlyDictionary<string, string>? aliases = null,
        string? kindName = null)
    {
        ArgumentNullException.ThrowIfNull(supportedFields);
        if (errorStyle == FieldSelectorErrorStyle.NotSupportedForKind && string.IsNullOrEmpty(kindName))
        {
            throw new ArgumentException("the NotSupportedForKind style needs a kind name", nameof(kindName));
        }

        SupportedFields = supportedFields.ToFrozenSet(StringComparer.Ordinal);
        ErrorStyle = errorStyle;
        Aliases = aliases is null ? NoAliases : aliases.ToFrozenDictionary(StringComparer.Ordinal);
        KindName = kindName;
    }

    /// <summary>
    /// The scheme's default for built-in kinds without a conversion func of their own (ConfigMap,
    /// Deployment, Lease, ...): <c>metadata.name</c> and <c>metadata.namespace</c>.
    /// </summary>
    public static FieldLabelConversion Default { get; } =
        new([MetadataName, MetadataNamespace], FieldSelectorErrorStyle.NotAKnownFieldSelector);

    /// <summary>core/v1 Pod (<c>spec.host</c> is the legacy name of <c>spec.nodeName</c>).</summary>
    public static FieldLabelConversion Pods { get; } = new(
        [
            MetadataName, MetadataNamespace, "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
            "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
            "status.nominatedNodeName",
        ],
        FieldSelectorErrorStyle.FieldLabelNotSupported,
        new Dictionary<string, string> { ["spec.host"] = "spec.nodeName" });

    /// <summary>core/v1 Node: no <c>metadata.namespace</c> (cluster-scoped).</summary>
    public static FieldLabelConversion Nodes { get; } =
        new([MetadataName, "spec.unschedulable"], FieldSelectorErrorStyle.FieldLabelNotSupported);

    /// <summary>core/v1 Namespace: no <c>metadata.namespace</c>.</summary>
    public static FieldLabelConversion Namespaces { get; } =
        new(["status.phase", MetadataName], FieldSelectorErrorStyle.FieldLabelNotSupported);

    /// <summary>core/v1 Secret.</summary>
    public static FieldLabelConversion Secrets { get; } =
        new(["type", MetadataNamespace, MetadataName], FieldSelectorErrorStyle.FieldLabelNotSupported);

    /// <summary>core/v1 Service.</summary>
    public static FieldLabelConversion Services { get; } =
        new([MetadataNamespace, MetadataName, "spec.clusterIP", "spec.type"], FieldSelectorErrorStyle.FieldLabelNotSupported);

    /// <summary>core/v1 ReplicationController.</summary>
    public static FieldLabelConversion ReplicationControllers { get; } =
        new([MetadataName, MetadataNamespace, "status.replicas"], FieldSelectorErrorStyle.FieldLabelNotSupported);

    /// <summary>core/v1 Event.</summary>
    public static FieldLabelConversion Events { get; } = new(
        [
            "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
            "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
            "reportingComponent", "source", "type", MetadataNamespace, MetadataName,
        ],
        FieldSelectorErrorStyle.FieldLabelNotSupported);

    /// <summary>batch/v1 Job.</summary>
    public static FieldLabelConversion Jobs { get; } =
        new([MetadataName, MetadataNamespace, "status.successful"], FieldSelectorErrorStyle.NotSupportedForKind, kindName: "batchv1.Job");

    /// <summary>The fields accepted as they are.</summary>
    public IReadOnlySet<string> SupportedFields { get; }

    /// <summary>How unsupported fields are reported.</summary>
    public FieldSelectorErrorStyle ErrorStyle { get; }

    /// <summary>Legacy field names and the field each is converted to.</summary>
    public IReadOnlyDictionary<string, string> Aliases { get; }

    /// <summary>The kind name used by <see cref="FieldSelectorErrorStyle.NotSupportedForKind"/>; null otherwise.</summary>
    public string? KindName { get; }

    /// <summary>
    /// The conversion of a built-in kind, by API group and kind: the kinds with a conversion func of
    /// their own get it, every other kind gets <see cref="Default"/>.
    /// </summary>
    public static FieldLabelConversion ForBuiltIn(string group, string kind) => (group, kind) switch
    {
        ("", "Pod") => Pods,
        ("", "Node") => Nodes,
        ("", "Namespace") => Namespaces,
        ("", "Secret") => Secrets,
        ("", "Service") => Services,
        ("", "ReplicationController") => ReplicationControllers,
        ("", "Event") => Events,
        ("batch", "Job") => Jobs,
        _ => Default,
    };

    /// <summary>
    /// A custom resource's conversion: <c>metadata.name</c>, <c>metadata.namespace</c> when namespaced,
    /// and the CRD version's <c>selectableFields</c> (JSON paths without the leading dot, e.g. <c>spec.color</c>).
    /// </summary>
    public static FieldLabelConversion ForCustomResource(bool namespaced, IEnumerable<string>? selectableFields = null)
    {
        var fields = new List<string> { MetadataName };
        if (namespaced)
        {
            fields.Add(MetadataNamespace);
        }

        fields.AddRange(selectableFields ?? []);
        return new FieldLabelConversion(fields, FieldSelectorErrorStyle.FieldLabelNotSupported);
    }

    /// <summary>
    /// Checks a selector against fields and a style without building a conversion; null when every
    /// term is supported, else the apiserver's message for the first unsupported term.
    /// </summary>
    public static string? Validate(
        FieldSelector selector,
        IReadOnlyCollection<string> supportedFields,
        FieldSelectorErrorStyle style,
        string? kindName = null) =>
        new FieldLabelConversion(supportedFields, style, kindName: kindName).Validate(selector);

    /// <summary>The apiserver's message for an unsupported field, in this conversion's style.</summary>
    public string ErrorFor(string field) => ErrorStyle switch
    {
        FieldSelectorErrorStyle.FieldLabelNotSupported => $"field label not supported: {field}",
        FieldSelectorErrorStyle.NotSupportedForKind => $"field label {GoText.Quote(field)} not supported for {KindName}",
        _ => $"{GoText.Quote(field)} is not a known field selector: only \"{MetadataName}\", \"{MetadataNamespace}\"",
    };

    /// <summary>Converts one field name (resolving aliases); false with the apiserver's message when unsupported.</summary>
    public bool TryConvertField(string field, [NotNullWhen(true)] out string? converted, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (SupportedFields.Contains(field))
        {
            converted = field;
            error = null;
            return true;
        }

        if (Aliases.TryGetValue(field, out converted))
        {
            error = null;
            return true;
        }

        error = ErrorFor(field);
        return false;
    }

    /// <summary>
    /// Converts every term in order, as the apiserver does before a list or watch; on the first
    /// unsupported field <paramref name="error"/> is its message (answered as a 400 BadRequest Status).
    /// </summary>
    public bool TryConvert(FieldSelector selector, [NotNullWhen(true)] out FieldSelector? converted, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(selector);
        converted = null;
        var renamed = false;
        var requirements = new FieldRequirement[selector.Requirements.Count];
        for (var i = 0; i < requirements.Length; i++)
        {
            var requirement = selector.Requirements[i];
            if (!TryConvertField(requirement.Field, out var field, out error))
            {
                return false;
            }

            renamed |= !string.Equals(field, requirement.Field, StringComparison.Ordinal);
            requirements[i] = string.Equals(field, requirement.Field, StringComparison.Ordinal) ? requirement : requirement with { Field = field };
        }

        converted = renamed ? FieldSelector.FromRequirements(requirements) : selector;
        error = null;
        return true;
    }

    /// <summary>Null when every term of <paramref name="selector"/> is supported, else the apiserver's message.</summary>
    public string? Validate(FieldSelector selector) => TryConvert(selector, out _, out var error) ? null : error;
}
