using System.Text.Json;
using ApiCache.Selectors;

namespace ApiCache.Tests.Selectors;

/// <summary>
/// Field values of a fixture object by dotted path, rendered as the apiserver's field sets render them:
/// strings as is, booleans as <c>true</c>/<c>false</c> (absent booleans of pods and nodes as <c>false</c>),
/// absent fields as "".
/// </summary>
internal readonly struct JsonFieldAccessor(JsonElement item) : IFieldAccessor
{
    public string GetFieldValue(string field)
    {
        var current = item;
        foreach (var part in field.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return field is "spec.hostNetwork" or "spec.unschedulable" ? "false" : "";
            }
        }

        return current.ValueKind switch
        {
            JsonValueKind.String => current.GetString()!,
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => current.GetRawText(),
        };
    }
}
