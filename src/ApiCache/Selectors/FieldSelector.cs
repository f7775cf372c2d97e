using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace ApiCache.Selectors;

/// <summary>
/// A parsed field selector (apimachinery <c>fields.ParseSelector</c>): comma-separated terms
/// <c>f=v</c>, <c>f==v</c> or <c>f!=v</c> that must all hold. A backslash escapes the next char when
/// splitting terms; in values <c>\\</c>, <c>\,</c> and <c>\=</c> are the only escapes, and a bare
/// <c>=</c> is an error. Nothing is trimmed. Terms are kept in the apiserver's order: sorted by their
/// raw text. Which fields a resource supports is checked separately, by <see cref="FieldLabelConversion"/>.
/// </summary>
internal sealed class FieldSelector
{
    private static readonly string[] Operators = ["!=", "==", "="];

    private readonly FieldRequirement[] _requirements;

    private FieldSelector(FieldRequirement[] requirements)
    {
        _requirements = requirements;
        Requirements = Array.AsReadOnly(requirements);
    }

    /// <summary>The selector that matches every object (the empty selector text).</summary>
    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The terms, in the apiserver's order (sorted by their raw text).</summary>
    public ReadOnlyCollection<FieldRequirement> Requirements { get; }

    /// <summary>True when the selector has no terms and so matches everything.</summary>
    public bool IsEverything => _requirements.Length == 0;

    /// <summary>
    /// Parses selector text as the apiserver parses <c>fieldSelector</c>; null or empty text is
    /// <see cref="Everything"/>. On failure <paramref name="error"/> is the apiserver's message, e.g.
    /// <c>invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'</c>, which it answers as
    /// a 400 BadRequest Status.
    /// </summary>
    public static bool TryParse(
        string? text,
        [NotNullWhen(true)] out FieldSelector? selector,
        [NotNullWhen(false)] out string? error)
    {
        selector = null;
        if (string.IsNullOrEmpty(text))
        {
            selector = Everything;
            error = null;
            return true;
        }

        var terms = SplitTerms(text);
        terms.Sort(GoText.Utf8Order);
        var requirements = new List<FieldRequirement>(terms.Count);
        foreach (var term in terms)
        {
            if (term.Length == 0)
            {
                continue;
            }

            if (!TrySplitTerm(term, out var field, out var op, out var rawValue))
            {
                error = $"invalid selector: '{text}'; can't understand '{term}'";
                return false;
            }

            if (!TryUnescapeValue(rawValue, out var value, out error))
            {
                return false;
            }

            requirements.Add(new FieldRequirement(field, op == "!=" ? FieldSelectorOperator.NotEquals : FieldSelectorOperator.Equals, value));
        }

        selector = requirements.Count == 0 ? Everything : new FieldSelector([.. requirements]);
        error = null;
        return true;
    }

    /// <summary>Parses selector text, or throws <see cref="FormatException"/> with the apiserver's message.</summary>
    public static FieldSelector Parse(string? text) =>
        TryParse(text, out var selector, out var error) ? selector : throw new FormatException(error);

    /// <summary>A selector of the given terms, in the given order.</summary>
    public static FieldSelector FromRequirements(IEnumerable<FieldRequirement> requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        var array = requirements.ToArray();
        return array.Length == 0 ? Everything : new FieldSelector(array);
    }

    /// <summary>Escapes a literal value for use in selector text: <c>\</c>, <c>,</c> and <c>=</c> get a backslash.</summary>
    public static string EscapeValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny('\\', ',', '=') < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 4);
        foreach (var c in value)
        {
            if (c is '\\' or ',' or '=')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>
    /// Unescapes a selector value as the apiserver does; on failure <paramref name="error"/> is its
    /// message (<c>invalid field selector: invalid escape sequence: \x</c>, or for a bare <c>=</c>
    /// <c>invalid field selector: unescaped character in value: 61</c>: Go prints the rune as a number).
    /// </summary>
    public static bool TryUnescapeValue(string raw, [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (raw.AsSpan().IndexOfAny('\\', ',', '=') < 0)
        {
            value = raw;
            error = null;
            return true;
        }

        value = null;
        var builder = new StringBuilder(raw.Length);
        var inSlash = false;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (inSlash)
            {
                if (c is not ('\\' or ',' or '='))
                {
                    var rune = char.IsHighSurrogate(c) && i + 1 < raw.Length ? raw.Substring(i, 2) : c.ToString();
                    error = "invalid field selector: invalid escape sequence: \\" + rune;
                    return false;
                }

                builder.Append(c);
                inSlash = false;
                continue;
            }

            switch (c)
            {
                case '\\':
                    inSlash = true;
                    break;
                case ',' or '=':
                    error = $"invalid field selector: unescaped character in value: {(int)c}";
                    return false;
                default:
                    builder.Append(c);
                    break;
            }
        }

        if (inSlash)
        {
            error = "invalid field selector: invalid escape sequence: \\";
            return false;
        }

        value = builder.ToString();
        error = null;
        return true;
    }

    /// <summary>True when the object's fields satisfy every term. Never allocates.</summary>
    public bool Matches<TFields>(TFields fields)
        where TFields : IFieldAccessor, allows ref struct
    {
        foreach (var requirement in _requirements)
        {
            if (!requirement.Matches(fields))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the fields (missing ones read as "") satisfy every term. Never allocates.</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? fields) => Matches(new DictionaryFieldAccessor(fields));

    /// <summary>
    /// The value <paramref name="field"/> must have when some <c>=</c> term pins it (the first such term),
    /// e.g. <c>spec.nodeName</c> for a node-name index. Mirrors apimachinery's <c>RequiresExactMatch</c>.
    /// </summary>
    public bool TryGetExactMatch(string field, [NotNullWhen(true)] out string? value)
    {
        foreach (var requirement in _requirements)
        {
            if (requirement.Operator == FieldSelectorOperator.Equals && string.Equals(requirement.Field, field, StringComparison.Ordinal))
            {
                value = requirement.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>The selector text as the apiserver prints it: terms joined by ',', values escaped.</summary>
    public override string ToString() => string.Join(",", _requirements.Select(r => r.ToString()));

    /// <summary>Splits on commas that are not escaped; escapes stay in the terms.</summary>
    private static List<string> SplitTerms(string text)
    {
        var terms = new List<string>(1);
        var start = 0;
        var inSlash = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inSlash)
            {
                inSlash = false;
            }
            else if (c == '\\')
            {
                inSlash = true;
            }
            else if (c == ',')
            {
                terms.Add(text[start..i]);
                start = i + 1;
            }
        }

        terms.Add(text[start..]);
        return terms;
    }

    /// <summary>Splits a term at the first operator (trying <c>!=</c>, then <c>==</c>, then <c>=</c> at each position).</summary>
    private static bool TrySplitTerm(string term, out string field, out string op, out string rawValue)
    {
        for (var i = 0; i < term.Length; i++)
        {
            foreach (var candidate in Operators)
            {
                if (term.AsSpan(i).StartsWith(candidate, StringComparison.Ordinal))
                {
                    field = term[..i];
                    op = candidate;
                    rawValue = term[(i + candidate.Length)..];
                    return true;
                }
            }
        }

        field = op = rawValue = "";
        return false;
    }
}
