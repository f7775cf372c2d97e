using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ApiCache.DevServer.Serialization;

/// <summary>
/// Go's ways of writing values into error messages, for the apiserver messages that embed them:
/// <c>strconv.Quote</c> (<c>%q</c>), <c>fmt</c>'s <c>%v</c> of decoded JSON (<c>map[a:1 b:[x y]]</c>),
/// <c>encoding/json</c>'s compact output and its "cannot unmarshal" type errors.
/// </summary>
internal static class GoText
{
    private const string HexDigits = "0123456789abcdef";

    /// <summary>Go's <c>strconv.Quote</c>: double-quoted, with Go escapes for quotes, backslashes and non-printable runes.</summary>
    public static string QuoteRunes(string value)
        => ApiCache.Selectors.GoText.Quote(value);

    /// <summary>
    /// The error <c>json.Unmarshal</c> gives for a value of the wrong JSON type, e.g.
    /// "json: cannot unmarshal array into Go value of type map[string]interface {}".
    /// </summary>
    public static string UnmarshalTypeError(JsonNode? value, string goType) =>
        "json: cannot unmarshal " + JsonTypeName(value) + " into Go value of type " + goType;

    /// <summary>
    /// The same error for a struct field, e.g. "json: cannot unmarshal number into Go struct field
    /// jsonPatchOp.op of type string".
    /// </summary>
    public static string UnmarshalFieldTypeError(JsonNode? value, string goStruct, string field, string goType) =>
        "json: cannot unmarshal " + JsonTypeName(value) + " into Go struct field " + goStruct + "." + field + " of type " + goType;

    /// <summary>How Go's decoder names a JSON value's type in its errors: object, array, string, number, bool or null.</summary>
    public static string JsonTypeName(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        _ => "bool",
    };

    /// <summary>
    /// The Go type a value decodes to with the apiserver's decoder (integers as int64, other numbers as
    /// float64), as <c>reflect.TypeOf</c> prints it.
    /// </summary>
    public static string GoTypeName(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "<nil>",
        JsonValueKind.Object => "map[string]interface {}",
        JsonValueKind.Array => "[]interface {}",
        JsonValueKind.String => "string",
        JsonValueKind.Number => IsInteger(value.AsValue()) ? "int64" : "float64",
        _ => "bool",
    };

    /// <summary>Go's <c>fmt</c> <c>%v</c> of the decoded value: <c>map[k:v ...]</c> with sorted keys, <c>[a b]</c>, <c>&lt;nil&gt;</c>.</summary>
    public static string FormatValue(JsonNode? value)
    {
        var text = new StringBuilder();
        AppendValue(text, value);
        return text.ToString();
    }

    /// <summary>
    /// Compact JSON as Go's <c>encoding/json</c> writes it (members in their current order, numbers as
    /// written, &lt; &gt; &amp; and U+2028/U+2029 escaped, other non-ASCII kept).
    /// </summary>
    public static string Marshal(JsonNode? value)
    {
        var text = new StringBuilder();
        AppendJson(text, value);
        return text.ToString();
    }

    /// <summary>True when a JSON number is an integer literal that fits int64 (the apiserver decodes it as int64).</summary>
    public static bool IsInteger(JsonValue number)
    {
        var raw = NumberText(number);
        return raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0
            && long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
    }

    /// <summary>The literal text of a JSON number, as written in the document it came from.</summary>
    public static string NumberText(JsonValue number) =>
        number.TryGetValue<JsonElement>(out var element) ? element.GetRawText() : number.ToJsonString();

    private static void AppendValue(StringBuilder text, JsonNode? value)
    {
        switch (value)
        {
            case null:
                text.Append("<nil>");
                break;
            case JsonObject map:
                text.Append("map[");
                var first = true;
                foreach (var (key, member) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text.Append(first ? "" : " ").Append(key).Append(':');
                    AppendValue(text, member);
                    first = false;
                }

                text.Append(']');
                break;
            case JsonArray list:
                text.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    text.Append(i == 0 ? "" : " ");
                    AppendValue(text, list[i]);
                }

                text.Append(']');
                break;
            default:
                var scalar = value.AsValue();
                switch (scalar.GetValueKind())
                {
                    case JsonValueKind.String:
                        text.Append(scalar.GetValue<string>());
                        break;
                    case JsonValueKind.Number:
                        text.Append(FormatNumber(scalar));
                        break;
                    case JsonValueKind.Null:
                        text.Append("<nil>");
                        break;
                    default:
                        text.Append(scalar.GetValueKind() == JsonValueKind.True ? "true" : "false");
                        break;
                }

                break;
        }
    }

    /// <summary>A number as <c>%v</c> prints the decoded int64 or float64 (<c>1e+06</c>, <c>0.5</c>).</summary>
    private static string FormatNumber(JsonValue number)
    {
        var raw = NumberText(number);
        if (IsInteger(number))
        {
            return long.Parse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        }

        return FormatFloat(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    /// <summary>Go's <c>%v</c> of a float64: the shortest digits, in %e form when the decimal exponent is below -4 or at least 6.</summary>
    private static string FormatFloat(double value)
    {
        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        // Shortest round-trip digits and the decimal point position, from .NET's "R" form.
        var shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var exponentAt = shortest.IndexOf('E', StringComparison.Ordinal);
        var mantissa = exponentAt < 0 ? shortest : shortest[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(shortest[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var pointAt = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        var decimalPoint = (pointAt < 0 ? mantissa.Length : pointAt) + exponent;
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        decimalPoint -= leadingZeros;

        var sign = value < 0 ? "-" : "";
        var exp = decimalPoint - 1;
        if (exp < -4 || exp >= 6)
        {
            var body = digits.Length > 1 ? digits[0] + "." + digits[1..] : digits;
            var expText = Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
            return sign + body + "e" + (exp < 0 ? "-" : "+") + expText;
        }

        if (decimalPoint <= 0)
        {
            return sign + "0." + new string('0', -decimalPoint) + digits;
        }

        if (decimalPoint >= digits.Length)
        {
            return sign + digits + new string('0', decimalPoint - digits.Length);
        }

        return sign + digits[..decimalPoint] + "." + digits[decimalPoint..];
    }

    private static void AppendJson(StringBuilder text, JsonNode? value)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject map:
                text.Append('{');
                var first = true;
                foreach (var (key, member) in map)
                {
                    text.Append(first ? "" : ",");
                    AppendJsonString(text, key);
                    text.Append(':');
                    AppendJson(text, member);
                    first = false;
                }

                text.Append('}');
                break;
            case JsonArray list:
                text.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    text.Append(i == 0 ? "" : ",");
                    AppendJson(text, list[i]);
                }

                text.Append(']');
                break;
            default:
                var scalar = value.AsValue();
                switch (scalar.GetValueKind())
                {
                    case JsonValueKind.String:
                        AppendJsonString(text, scalar.GetValue<string>());
                        break;
                    case JsonValueKind.Number:
                        text.Append(NumberText(scalar));
                        break;
                    case JsonValueKind.True:
                        text.Append("true");
                        break;
                    case JsonValueKind.False:
                        text.Append("false");
                        break;
                    default:
                        text.Append("null");
                        break;
                }

                break;
        }
    }

    private static void AppendJsonString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var rune in value.EnumerateRunes())
        {
            var r = rune.Value;
            switch (r)
            {
                case '"': text.Append("\\\""); continue;
                case '\\': text.Append("\\\\"); continue;
                case '\b': text.Append("\\b"); continue;
                case '\f': text.Append("\\f"); continue;
                case '\n': text.Append("\\n"); continue;
                case '\r': text.Append("\\r"); continue;
                case '\t': text.Append("\\t"); continue;
            }

            if (r < 0x20 || r is '<' or '>' or '&' or 0x2028 or 0x2029)
            {
                text.Append("\\u").Append(r.ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(rune.ToString());
            }
        }

        text.Append('"');
    }
}
