using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
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

    /// <summary>True when the object stored as <paramref name="json"/> passes both selectors.</summary>
    public bool Matches(ReadOnlyMemory<byte> json)
    {
        if (IsEverything)
        {
            return true;
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return (_labels.IsEverything || _labels.Matches(new LabelAccessor(root)))
            && (_fields.IsEverything || _fields.Matches(new FieldAccessor(root)));
    }

    /// <summary>The filter as a predicate for <see cref="ResourceStore.ListAsync"/>: null when it lets everything through.</summary>
    public Func<ReadOnlyMemory<byte>, bool>? AsPredicate() => IsEverything ? null : Matches;

    /// <summary>metadata.labels read from the parsed document, without copying them.</summary>
    private readonly struct LabelAccessor(JsonElement root) : ILabelAccessor
    {
        public bool TryGetLabel(string key, [MaybeNullWhen(false)] out string value)
        {
            value = null;
            if (root.TryGetProperty("metadata"u8, out var metadata) && metadata.ValueKind == JsonValueKind.Object
                && metadata.TryGetProperty("labels"u8, out var labels) && labels.ValueKind == JsonValueKind.Object
                && labels.TryGetProperty(key, out var label) && label.ValueKind == JsonValueKind.String)
            {
                value = label.GetString()!;
                return true;
            }

            return false;
        }
    }

    /// <summary>Field values (a dotted path) as the apiserver's field sets render them: missing "", booleans true/false.</summary>
    private readonly struct FieldAccessor(JsonElement root) : IFieldAccessor
    {
        public string GetFieldValue(string field)
        {
            var node = root;
            foreach (var segment in field.Split('.'))
            {
                if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(segment, out node))
                {
                    return "";
                }
            }

            return node.ValueKind switch
            {
                JsonValueKind.String => node.GetString()!,
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Number => node.GetRawText(),
                _ => "",
            };
        }
    }
}
