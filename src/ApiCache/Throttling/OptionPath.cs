using System.Globalization;

namespace ApiCache.Throttling;

/// <summary>
/// Where a value sits in the options, for validation messages: configuration keys
/// (<c>ApiCache:Throttling:Rules:0:Limiter:Rate</c>) when the rules come from configuration, JSON
/// paths (<c>rules[0].limiter.rate</c>) when they come from the admin endpoint.
/// </summary>
internal readonly record struct OptionPath(string Text, bool Json)
{
    /// <summary>A configuration key path starting at <paramref name="key"/>.</summary>
    public static OptionPath Configuration(string key) => new(key, false);

    /// <summary>A JSON path starting at <paramref name="path"/> (empty: the document itself).</summary>
    public static OptionPath JsonPath(string path) => new(path, true);

    /// <summary>The path of property <paramref name="name"/> (given in PascalCase) below this one.</summary>
    public OptionPath Child(string name)
    {
        if (!Json)
        {
            return new OptionPath(Text + ":" + name, false);
        }

        var camel = char.ToLowerInvariant(name[0]) + name[1..];
        return new OptionPath(Text.Length == 0 ? camel : Text + "." + camel, true);
    }

    /// <summary>The path of item <paramref name="index"/> of the list at this path.</summary>
    public OptionPath Item(int index) => Json
        ? new OptionPath(Text + "[" + index.ToString(CultureInfo.InvariantCulture) + "]", true)
        : new OptionPath(Text + ":" + index.ToString(CultureInfo.InvariantCulture), false);

    /// <inheritdoc/>
    public override string ToString() => Text.Length == 0 ? "the rule" : Text;
}
