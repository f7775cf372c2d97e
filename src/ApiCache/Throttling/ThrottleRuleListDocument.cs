using ApiCache.Configuration;

namespace ApiCache.Throttling;

/// <summary>
/// The JSON document of <c>/apicache/v1/throttles</c>: the rules in order, the generation (which
/// a PUT may send back to fail with 409 if someone changed the rules meanwhile) and who made the
/// last change (<c>file</c> or <c>admin</c>; ignored on input).
/// </summary>
internal sealed class ThrottleRuleListDocument
{
    /// <summary>The rules, in evaluation order.</summary>
    public IList<ThrottleRuleOptions?>? Rules { get; set; }

    /// <summary>The generation of the rules (output), or the generation the change expects (input, optional).</summary>
    public long? Generation { get; set; }

    /// <summary>Who made the last change.</summary>
    public string? Source { get; set; }
}
