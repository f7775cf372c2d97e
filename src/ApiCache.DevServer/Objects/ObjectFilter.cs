using System.Runtime.CompilerServices;
using ApiCache.DevServer.Resources;
using ApiCache.Requests;
using ApiCache.Selectors;
using ApiCache.Serving;
using ApiCache.Storage;

namespace ApiCache.DevServer.Objects;

/// <summary>
/// The label and field selectors of a LIST or WATCH, validated for the resource (malformed
/// selectors and unsupported fields answer the apiserver's 400) and applied to objects. Both halves
/// are ApiCache's own: <see cref="ListSelectors"/> parses and converts, and the objects' labels and
/// field values come from its <see cref="ObjectDecoder"/>, which renders field sets the apiserver's
/// way (a pod without <c>spec.hostNetwork</c> has the value "false", not "").
/// </summary>
internal sealed class ObjectFilter
{
    /// <summary>One decoder per resource (decoders are thread-safe and cache their schema's lookup tree).</summary>
    private static readonly ConditionalWeakTable<ResourceDefinition, ObjectDecoder> Decoders = [];

    private readonly ListSelectors _selectors;
    private readonly ObjectDecoder _decoder;

    private ObjectFilter(ListSelectors selectors, ObjectDecoder decoder)
    {
        _selectors = selectors;
        _decoder = decoder;
    }

    /// <summary>True when both selectors are empty.</summary>
    public bool IsEverything => _selectors.IsEverything;

    /// <summary>Builds the filter; null and a 400 error when a selector is malformed or names an unsupported field.</summary>
    public static ObjectFilter? Create(ListOptions options, ResourceDefinition resource, out StatusError? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(resource);
        var conversion = resource.Unstructured
            ? FieldLabelConversion.ForCustomResource(resource.Namespaced)
            : FieldLabelConversion.ForBuiltIn(resource.Group, resource.Kind);
        return ListSelectors.TryParse(options.LabelSelector, options.FieldSelector, conversion, out var selectors, out error)
            ? new ObjectFilter(selectors, Decoders.GetValue(resource, CreateDecoder))
            : null;
    }

    /// <summary>True when the object stored as <paramref name="json"/> passes both selectors.</summary>
    /// <exception cref="InvalidDataException">The stored object cannot be decoded.</exception>
    public bool Matches(ReadOnlyMemory<byte> json)
    {
        if (IsEverything)
        {
            return true;
        }

        if (!_decoder.TryDecode(json.Span, out var decoded, out var error))
        {
            throw new InvalidDataException("a stored object cannot be decoded: " + error);
        }

        return _selectors.Labels.Matches(decoded) && _selectors.Fields.Matches(decoded);
    }

    /// <summary>The filter as a predicate for <see cref="ResourceStore.ListAsync"/>: null when it lets everything through.</summary>
    public Func<ReadOnlyMemory<byte>, bool>? AsPredicate() => IsEverything ? null : Matches;

    /// <summary>A decoder extracting the fields the resource's selectors may use (stored objects carry no resourceVersion).</summary>
    private static ObjectDecoder CreateDecoder(ResourceDefinition resource) =>
        new(resource.Unstructured ? ObjectSchema.Empty : ObjectSchema.ForBuiltIn(resource.Group, resource.Kind, []), resource.Namespaced, requireResourceVersion: false);
}
