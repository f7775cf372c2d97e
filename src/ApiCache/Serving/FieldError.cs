using System.Globalization;

namespace ApiCache.Serving;

/// <summary>The kinds of field validation error the apiserver reports (field.ErrorType).</summary>
internal enum FieldErrorType
{
    /// <summary>"Invalid value": a value that does not pass validation.</summary>
    Invalid,

    /// <summary>"Required value": a field that must be set.</summary>
    Required,

    /// <summary>"Forbidden": a field that may not be set in this situation.</summary>
    Forbidden,

    /// <summary>"Unsupported value": a value outside an enumeration.</summary>
    NotSupported,
}

/// <summary>
/// One field validation error, rendered like the apiserver's field.Error: <c>field: Type: detail</c>
/// in messages and as a <c>details.causes</c> entry (reason FieldValue&lt;Type&gt;).
/// </summary>
/// <param name="Type">What is wrong.</param>
/// <param name="Field">The field path, e.g. <c>metadata.name</c>.</param>
/// <param name="Detail">The explanation (for NotSupported, built from the supported values).</param>
/// <param name="BadValue">The offending value for Invalid/NotSupported (strings are quoted, as Go's %q does).</param>
internal sealed record FieldError(FieldErrorType Type, string Field, string Detail, object? BadValue = null)
{
    /// <summary>An "Unsupported value" error listing the supported values as the apiserver does.</summary>
    public static FieldError NotSupported(string field, string value, IEnumerable<string> supported) =>
        new(FieldErrorType.NotSupported, field, "supported values: " + string.Join(", ", supported.Select(Quote)), value);

    /// <summary>The cause reason: FieldValueInvalid, FieldValueRequired, FieldValueForbidden, FieldValueNotSupported.</summary>
    public string Reason => "FieldValue" + Type;

    /// <summary>The text after the field name: e.g. <c>Invalid value: "x": detail</c> or <c>Forbidden: detail</c>.</summary>
    public string Body
    {
        get
        {
            var head = Type switch
            {
                FieldErrorType.Invalid => "Invalid value: " + Render(BadValue),
                FieldErrorType.NotSupported => "Unsupported value: " + Render(BadValue),
                FieldErrorType.Required => "Required value",
                _ => "Forbidden",
            };
            return Detail.Length == 0 ? head : head + ": " + Detail;
        }
    }

    /// <summary>The whole error: <c>field: body</c>.</summary>
    public override string ToString() => $"{Field}: {Body}";

    /// <summary>Go's %q for a string: double quotes with backslash escapes.</summary>
    internal static string Quote(string value) => Selectors.GoText.Quote(value);

    private static string Render(object? value) => value switch
    {
        null => "null",
        string s => Quote(s),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
