using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;

namespace ApiCache.Selectors;

/// <summary>
/// A parsed label selector (apimachinery <c>labels.Selector</c>): requirements that must all hold.
/// Parse once per request, then match per object: <see cref="Matches{TLabels}"/> does not allocate.
/// Requirements are sorted by key, as the apiserver sorts them, so index planners see a stable order.
/// </summary>
internal sealed class LabelSelector
{
    private readonly LabelRequirement[] _requirements;

    private LabelSelector(LabelRequirement[] requirements)
    {
        _requirements = requirements;
        Requirements = Array.AsReadOnly(requirements);
    }

    /// <summary>The selector that matches every object (the empty selector text).</summary>
    public static LabelSelector Everything { get; } = new([]);

    /// <summary>The requirements, sorted by key (stable for equal keys).</summary>
    public ReadOnlyCollection<LabelRequirement> Requirements { get; }

    /// <summary>True when the selector has no requirements and so matches everything.</summary>
    public bool IsEverything => _requirements.Length == 0;

    /// <summary>
    /// Parses selector text as the apiserver parses <c>labelSelector</c>; null or empty text is
    /// <see cref="Everything"/>. On failure <paramref name="error"/> is the apiserver's message, which
    /// it answers as a 400 BadRequest Status.
    /// </summary>
    public static bool TryParse(
        string? text,
        [NotNullWhen(true)] out LabelSelector? selector,
        [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(text))
        {
            selector = Everything;
            error = null;
            return true;
        }

        if (!LabelSelectorParser.TryParse(text, out var requirements, out error))
        {
            selector = null;
            return false;
        }

        selector = FromRequirements(requirements);
        return true;
    }

    /// <summary>Parses selector text, or throws <see cref="FormatException"/> with the apiserver's message.</summary>
    public static LabelSelector Parse(string? text) =>
        TryParse(text, out var selector, out var error) ? selector : throw new FormatException(error);

    /// <summary>A selector of the given requirements (sorted by key here).</summary>
    public static LabelSelector FromRequirements(IEnumerable<LabelRequirement> requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        var sorted = requirements.OrderBy(r => r.Key, GoText.Utf8Order).ToArray();
        return sorted.Length == 0 ? Everything : new LabelSelector(sorted);
    }

    /// <summary>True when the object's labels satisfy every requirement. Never allocates.</summary>
    public bool Matches<TLabels>(TLabels labels)
        where TLabels : ILabelAccessor, allows ref struct
    {
        foreach (var requirement in _requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the labels satisfy every requirement; null means no labels. Never allocates.</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels) => Matches(new DictionaryLabelAccessor(labels));

    /// <summary>
    /// The value <paramref name="key"/> must have when the selector pins it to one value (the first
    /// requirement on that key is <c>=</c>, <c>==</c> or a one-value <c>in</c>): what an index lookup
    /// can use. Mirrors apimachinery's <c>RequiresExactMatch</c>.
    /// </summary>
    public bool TryGetExactMatch(string key, [NotNullWhen(true)] out string? value)
    {
        foreach (var requirement in _requirements)
        {
            if (!string.Equals(requirement.Key, key, StringComparison.Ordinal))
            {
                continue;
            }

            if (requirement.Operator is LabelSelectorOperator.Equals or LabelSelectorOperator.DoubleEquals or LabelSelectorOperator.In
                && requirement.Values.Count == 1)
            {
                value = requirement.Values[0];
                return true;
            }

            break;
        }

        value = null;
        return false;
    }

    /// <summary>The selector text as the apiserver prints it: requirements joined by ','.</summary>
    public override string ToString() => string.Join(",", _requirements.Select(r => r.ToString()));
}
