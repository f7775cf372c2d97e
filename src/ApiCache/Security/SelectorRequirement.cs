using ApiCache.Selectors;

namespace ApiCache.Security;

/// <summary>
/// One selector requirement as a SubjectAccessReview carries it
/// (<c>resourceAttributes.fieldSelector.requirements[]</c> / <c>labelSelector.requirements[]</c>):
/// a key, an operator (<c>In</c>, <c>NotIn</c>, <c>Exists</c>, <c>DoesNotExist</c>) and values.
/// </summary>
internal sealed record SelectorRequirement(string Key, string Operator, IReadOnlyList<string> Values)
{
    /// <summary>The requirements of a field selector: <c>=</c>/<c>==</c> become In, <c>!=</c> NotIn, one value each.</summary>
    public static IReadOnlyList<SelectorRequirement> FromFields(FieldSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return selector.Requirements
            .Select(r => new SelectorRequirement(r.Field, r.Operator == FieldSelectorOperator.NotEquals ? "NotIn" : "In", [r.Value]))
            .ToList();
    }

    /// <summary>The requirements of a label selector: <c>=</c>/<c>==</c>/in become In, <c>!=</c>/notin NotIn, <c>key</c> Exists, <c>!key</c> DoesNotExist.</summary>
    public static IReadOnlyList<SelectorRequirement> FromLabels(LabelSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return selector.Requirements
            .Select(r => new SelectorRequirement(r.Key, OperatorName(r.Operator), r.Values.ToList()))
            .ToList();
    }

    private static string OperatorName(LabelSelectorOperator op) => op switch
    {
        LabelSelectorOperator.NotEquals or LabelSelectorOperator.NotIn => "NotIn",
        LabelSelectorOperator.Exists => "Exists",
        LabelSelectorOperator.DoesNotExist => "DoesNotExist",
        LabelSelectorOperator.GreaterThan => "Gt",
        LabelSelectorOperator.LessThan => "Lt",
        _ => "In",
    };
}
