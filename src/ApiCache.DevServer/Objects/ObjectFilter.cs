using System.Text.Json.Nodes;
using ApiCache.DevServer.Resources;
using ApiCache.Requests;
using ApiCache.Selectors;
using ApiCache.Serving;

namespace ApiCache.DevServer.Objects;

/// <summary>
/// The label and field selectors of a LIST or WATCH, validated for the resource (malformed
/// selectors and unsupported fields answer the apiserver's 400) and applied to objects.
/// </summary>
internal sealed class ObjectFilter
{
    private readonly LabelSelector _labels;
    private readonly FieldSelector _fields;

    private ObjectFilter(LabelSelector labels, FieldSelector fields)
    {
        _labels = labels;
        _fields = fields;
    }

    /// <summary>True when both selectors are empty.</summary>
    public bool IsEverything => _labels.IsEverything && _fields.IsEverything;

    /// <summary>Builds the filter; null and a 400 error when a selector is malformed or names an unsupported field.</summary>
    public static ObjectFilter? Create(ListOptions options, ResourceDefinition resource, out StatusError? error)
    {
        error = null;
        if (!LabelSelector.TryParse(options.LabelSelector, out var labels, out var labelError))
        {
            error = StatusError.BadRequest(labelError);
            return null;
        }

        if (!FieldSelector.TryParse(options.FieldSelector, out var fields, out var fieldError))
        {
            error = StatusError.BadRequest(fieldError);
            return null;
        }

        var conversion = resource.Unstructured
            ? FieldLabelConversion.ForCustomResource(resource.Namespaced)
            : FieldLabelConversion.ForBuiltIn(resource.Group, resource.Kind);
        if (!conversion.TryConvert(fields, out var converted, out var conversionError))
        {
            error = StatusError.BadRequest(conversionError);
            return null;
        }

        return new ObjectFilter(labels, converted);
    }

    /// <summary>True when <paramref name="obj"/> passes both selectors.</summary>
    public bool Matches(JsonObject obj) =>
        (_labels.IsEverything || _labels.Matches(ObjectFields.Labels(obj)))
        && (_fields.IsEverything || _fields.Matches(new JsonFieldAccessor(obj)));

    /// <summary>The filter as a predicate for <see cref="ResourceStore.ListAsync"/>: null when it lets everything through.</summary>
    public Func<JsonObject, bool>? AsPredicate() => IsEverything ? null : Matches;

    /// <summary>Field values read from the object's JSON.</summary>
    private readonly struct JsonFieldAccessor(JsonObject obj) : IFieldAccessor
    {
        public string GetFieldValue(string field) => ObjectFields.Get(obj, field);
    }
}
