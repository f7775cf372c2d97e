using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApiCache.DevServer.Serialization;

namespace ApiCache.DevServer.Patching;

/// <summary>
/// JSON values seen the way the apiserver's Go patch code sees them: the Go type a value decodes to
/// (integers as int64, other numbers as float64) and the two notions of equality the patch libraries
/// use.
/// </summary>
internal static class GoJsonValues
{
    /// <summary>The Go type of a decoded JSON value (<c>reflect.TypeOf</c>), as the patch code compares them.</summary>
    public enum Kind
    {
        /// <summary>JSON null (<c>nil</c>).</summary>
        Nil,

        /// <summary>An object (<c>map[string]interface{}</c>).</summary>
        Map,

        /// <summary>An array (<c>[]interface{}</c>).</summary>
        Slice,

        /// <summary>A string.</summary>
        String,

        /// <summary>An integer number that fits int64.</summary>
        Int,

        /// <summary>Any other number (float64).</summary>
        Float,

        /// <summary>true or false.</summary>
        Bool,
    }

    /// <summary>The Go type <paramref name="value"/> decodes to.</summary>
    public static Kind KindOf(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => Kind.Nil,
        JsonValueKind.Object => Kind.Map,
        JsonValueKind.Array => Kind.Slice,
        JsonValueKind.String => Kind.String,
        JsonValueKind.Number => GoText.IsInteger(value.AsValue()) ? Kind.Int : Kind.Float,
        _ => Kind.Bool,
    };

    /// <summary>
    /// Go's <c>==</c> on two decoded values (strategic merge patch: merge keys, primitive lists): same
    /// type and same value; nulls are equal; objects and arrays are never equal (Go cannot compare them).
    /// </summary>
    public static bool GoEquals(JsonNode? left, JsonNode? right)
    {
        var kind = KindOf(left);
        if (kind != KindOf(right))
        {
            return false;
        }

        return kind switch
        {
            Kind.Nil => true,
            Kind.String => string.Equals(left!.GetValue<string>(), right!.GetValue<string>(), StringComparison.Ordinal),
            Kind.Int => ParseInt(left!) == ParseInt(right!),
            Kind.Float => ParseFloat(left!).Equals(ParseFloat(right!)),
            Kind.Bool => left!.GetValueKind() == right!.GetValueKind(),
            _ => false,
        };
    }

    /// <summary>
    /// The JSON Patch <c>test</c> comparison of evanphx/json-patch: objects with the same members,
    /// arrays with the same elements in order, scalars with the same JSON text (so 1 and 1.0 differ);
    /// null only equals null. Strings compare by value.
    /// </summary>
    public static bool PatchTestEquals(JsonNode? left, JsonNode? right)
    {
        switch (left)
        {
            case null:
                return right is null || right.GetValueKind() == JsonValueKind.Null;
            case JsonObject leftMap:
                if (right is not JsonObject rightMap || leftMap.Count != rightMap.Count)
                {
                    return false;
                }

                foreach (var (key, member) in leftMap)
                {
                    if (!rightMap.TryGetPropertyValue(key, out var other) || !PatchTestEquals(member, other))
                    {
                        return false;
                    }
                }

                return true;
            case JsonArray leftList:
                if (right is not JsonArray rightList || leftList.Count != rightList.Count)
                {
                    return false;
                }

                for (var i = 0; i < leftList.Count; i++)
                {
                    if (!PatchTestEquals(leftList[i], rightList[i]))
                    {
                        return false;
                    }
                }

                return true;
        }

        if (right is null or JsonObject or JsonArray)
        {
            return right is null && left.GetValueKind() == JsonValueKind.Null;
        }

        var kind = left.GetValueKind();
        if (kind != right.GetValueKind())
        {
            return false;
        }

        return kind switch
        {
            JsonValueKind.String => string.Equals(left.GetValue<string>(), right.GetValue<string>(), StringComparison.Ordinal),
            JsonValueKind.Number => string.Equals(GoText.NumberText(left.AsValue()), GoText.NumberText(right.AsValue()), StringComparison.Ordinal),
            _ => true,
        };
    }

    private static long ParseInt(JsonNode value) =>
        long.Parse(GoText.NumberText(value.AsValue()), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static double ParseFloat(JsonNode value) =>
        double.Parse(GoText.NumberText(value.AsValue()), NumberStyles.Float, CultureInfo.InvariantCulture);
}
