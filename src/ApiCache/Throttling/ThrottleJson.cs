using System.Text.Json;
using System.Text.Json.Serialization;
using ApiCache.Configuration;

namespace ApiCache.Throttling;

/// <summary>
/// The JSON form of throttling rules, as the admin endpoint reads and writes them: camelCase
/// properties (read ignoring case), enums as their names, nulls left out, unknown properties
/// refused (a typo such as <c>"rat"</c> must not silently drop a limit).
/// </summary>
internal static class ThrottleJson
{
    /// <summary>The serializer options of rule documents.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>The same, indented: what the admin endpoints answer (read by people through curl).</summary>
    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };

    /// <summary>The canonical JSON of <paramref name="rule"/>: equal for equal definitions, so a rule that did not change keeps its limiter state.</summary>
    public static string Fingerprint(ThrottleRuleOptions rule) => JsonSerializer.Serialize(rule, Options);

    /// <summary>A deep copy of <paramref name="rule"/>, which the caller may go on changing.</summary>
    public static ThrottleRuleOptions Clone(ThrottleRuleOptions rule) =>
        JsonSerializer.Deserialize<ThrottleRuleOptions>(Fingerprint(rule), Options)!;
}
