using ApiCache.Serving;

namespace ApiCache.Selectors;

/// <summary>
/// The label and field selectors of a LIST or WATCH, parsed and checked against the fields the
/// resource supports, with the apiserver's 400 Status for a malformed selector or an unsupported field.
/// </summary>
/// <param name="Labels">The label selector.</param>
/// <param name="Fields">The field selector, with field names converted as the resource's conversion function does.</param>
internal readonly record struct ListSelectors(LabelSelector Labels, FieldSelector Fields)
{
    /// <summary>True when neither selector has a requirement.</summary>
    public bool IsEverything => Labels.IsEverything && Fields.IsEverything;

    /// <summary>Parses both selectors; false and the apiserver's 400 error when one is invalid for the resource.</summary>
    public static bool TryParse(string? labelSelector, string? fieldSelector, FieldLabelConversion conversion, out ListSelectors selectors, out StatusError? error)
    {
        ArgumentNullException.ThrowIfNull(conversion);
        selectors = default;
        error = null;
        if (!LabelSelector.TryParse(labelSelector, out var labels, out var labelError))
        {
            error = StatusError.BadRequest(labelError);
            return false;
        }

        if (!FieldSelector.TryParse(fieldSelector, out var fields, out var fieldError))
        {
            error = StatusError.BadRequest(fieldError);
            return false;
        }

        if (!conversion.TryConvert(fields, out var converted, out var conversionError))
        {
            error = StatusError.BadRequest(conversionError);
            return false;
        }

        selectors = new ListSelectors(labels, converted);
        return true;
    }
}
