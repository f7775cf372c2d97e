using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace ApiCache.Selectors;

/// <summary>
/// One requirement of a label selector (apimachinery <c>labels.Requirement</c>): a key, an operator
/// and its values. Immutable; <see cref="Matches{TLabels}"/> does not allocate.
/// </summary>
internal sealed class LabelRequirement : IEquatable<LabelRequirement>
{
    /// <summary>Above this many values, <c>in</c>/<c>notin</c> look values up in a hash set instead of scanning.</summary>
    private const int LinearScanLimit = 8;

    private readonly string[] _values;
    private readonly HashSet<string>? _valueSet;
    private readonly long _number;

    private LabelRequirement(string key, LabelSelectorOperator @operator, string[] values)
    {
        Key = key;
        Operator = @operator;
        _values = values;
        Values = Array.AsReadOnly(values);
        if (values.Length > LinearScanLimit)
        {
            _valueSet = new HashSet<string>(values, StringComparer.Ordinal);
        }

        if (@operator is LabelSelectorOperator.GreaterThan or LabelSelectorOperator.LessThan)
        {
            _number = GoText.TryParseInt64(values[0], out var number) ? number : 0;
        }
    }

    /// <summary>The label key.</summary>
    public string Key { get; }

    /// <summary>The operator.</summary>
    public LabelSelectorOperator Operator { get; }

    /// <summary>
    /// The values, distinct and in Go's string order: one for the equality and comparison operators,
    /// at least one for <c>in</c>/<c>notin</c> (<c>in ()</c> has the single value ""), none for
    /// <c>exists</c>/<c>!</c>.
    /// </summary>
    public ReadOnlyCollection<string> Values { get; }

    /// <summary>
    /// Creates a requirement the way apimachinery's <c>NewRequirement</c> validates it. The values are
    /// first made distinct and sorted (as the parser does). On failure <paramref name="error"/> is the
    /// apiserver's message, e.g. <c>values[0][app]: Invalid value: "-x": a valid label must be ...</c>.
    /// </summary>
    public static bool TryCreate(
        string key,
        LabelSelectorOperator @operator,
        IEnumerable<string> values,
        [NotNullWhen(true)] out LabelRequirement? requirement,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Distinct(StringComparer.Ordinal).Order(GoText.Utf8Order).ToArray();
        var errors = new List<string>();
        var keyErrors = LabelValidation.KeyErrors(key);
        if (keyErrors.Count > 0)
        {
            errors.Add($"key: Invalid value: {GoText.Quote(key)}: {string.Join("; ", keyErrors)}");
        }

        switch (@operator)
        {
            case LabelSelectorOperator.In or LabelSelectorOperator.NotIn:
                if (sorted.Length == 0)
                {
                    errors.Add($"values: Invalid value: {GoSlice(sorted)}: for 'in', 'notin' operators, values set can't be empty");
                }

                break;
            case LabelSelectorOperator.Equals or LabelSelectorOperator.DoubleEquals or LabelSelectorOperator.NotEquals:
                if (sorted.Length != 1)
                {
                    errors.Add($"values: Invalid value: {GoSlice(sorted)}: exact-match compatibility requires one single value");
                }

                break;
            case LabelSelectorOperator.Exists or LabelSelectorOperator.DoesNotExist:
                if (sorted.Length != 0)
                {
                    errors.Add($"values: Invalid value: {GoSlice(sorted)}: values set must be empty for exists and does not exist");
                }

                break;
            case LabelSelectorOperator.GreaterThan or LabelSelectorOperator.LessThan:
                if (sorted.Length != 1)
                {
                    errors.Add($"values: Invalid value: {GoSlice(sorted)}: for 'Gt', 'Lt' operators, exactly one value is required");
                }

                for (var i = 0; i < sorted.Length; i++)
                {
                    if (!GoText.TryParseInt64(sorted[i], out _))
                    {
                        errors.Add($"values[{i}]: Invalid value: {GoText.Quote(sorted[i])}: for 'Gt', 'Lt' operators, the value must be an integer");
                    }
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(@operator), @operator, "unknown label selector operator");
        }

        for (var i = 0; i < sorted.Length; i++)
        {
            var valueErrors = LabelValidation.ValueErrors(sorted[i]);
            if (valueErrors.Count > 0)
            {
                errors.Add($"values[{i}][{key}]: Invalid value: {GoText.Quote(sorted[i])}: {string.Join("; ", valueErrors)}");
            }
        }

        if (errors.Count > 0)
        {
            requirement = null;
            error = Aggregate(errors);
            return false;
        }

        requirement = new LabelRequirement(key, @operator, sorted);
        error = null;
        return true;
    }

    /// <summary>Creates a requirement, or throws <see cref="FormatException"/> with the apiserver's message.</summary>
    public static LabelRequirement Create(string key, LabelSelectorOperator @operator, params IEnumerable<string> values) =>
        TryCreate(key, @operator, values, out var requirement, out var error) ? requirement : throw new FormatException(error);

    /// <summary>
    /// True when the labels satisfy this requirement: <c>=</c>, <c>==</c> and <c>in</c> need the label with
    /// one of the values; <c>!=</c> and <c>notin</c> accept a missing label; <c>&gt;</c> and <c>&lt;</c> need a
    /// label that parses as an int64. Never allocates.
    /// </summary>
    public bool Matches<TLabels>(TLabels labels)
        where TLabels : ILabelAccessor, allows ref struct
    {
        switch (Operator)
        {
            case LabelSelectorOperator.Equals or LabelSelectorOperator.DoubleEquals or LabelSelectorOperator.In:
                return labels.TryGetLabel(Key, out var value) && HasValue(value);
            case LabelSelectorOperator.NotEquals or LabelSelectorOperator.NotIn:
                return !labels.TryGetLabel(Key, out value) || !HasValue(value);
            case LabelSelectorOperator.Exists:
                return labels.TryGetLabel(Key, out _);
            case LabelSelectorOperator.DoesNotExist:
                return !labels.TryGetLabel(Key, out _);
            case LabelSelectorOperator.GreaterThan:
                return labels.TryGetLabel(Key, out value) && GoText.TryParseInt64(value, out var number) && number > _number;
            case LabelSelectorOperator.LessThan:
                return labels.TryGetLabel(Key, out value) && GoText.TryParseInt64(value, out number) && number < _number;
            default:
                return false;
        }
    }

    /// <summary>True when the labels satisfy this requirement; null means no labels.</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels) => Matches(new DictionaryLabelAccessor(labels));

    /// <summary>True when the value is one of this requirement's values.</summary>
    public bool HasValue(string value)
    {
        if (_valueSet is not null)
        {
            return _valueSet.Contains(value);
        }

        foreach (var candidate in _values)
        {
            if (string.Equals(candidate, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The selector text of this requirement, as the apiserver prints it (<c>a in (x,y)</c>, <c>!a</c>, <c>a&gt;3</c>).</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        if (Operator == LabelSelectorOperator.DoesNotExist)
        {
            builder.Append('!');
        }

        builder.Append(Key);
        switch (Operator)
        {
            case LabelSelectorOperator.Exists or LabelSelectorOperator.DoesNotExist:
                return builder.ToString();
            case LabelSelectorOperator.Equals:
                builder.Append('=');
                break;
            case LabelSelectorOperator.DoubleEquals:
                builder.Append("==");
                break;
            case LabelSelectorOperator.NotEquals:
                builder.Append("!=");
                break;
            case LabelSelectorOperator.GreaterThan:
                builder.Append('>');
                break;
            case LabelSelectorOperator.LessThan:
                builder.Append('<');
                break;
            case LabelSelectorOperator.In:
                builder.Append(" in (");
                break;
            case LabelSelectorOperator.NotIn:
                builder.Append(" notin (");
                break;
        }

        builder.AppendJoin(',', _values);
        if (Operator is LabelSelectorOperator.In or LabelSelectorOperator.NotIn)
        {
            builder.Append(')');
        }

        return builder.ToString();
    }

    /// <inheritdoc />
    public bool Equals(LabelRequirement? other) =>
        other is not null
        && string.Equals(Key, other.Key, StringComparison.Ordinal)
        && Operator == other.Operator
        && _values.AsSpan().SequenceEqual(other._values);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as LabelRequirement);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Key, StringComparer.Ordinal);
        hash.Add(Operator);
        foreach (var value in _values)
        {
            hash.Add(value, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <summary>Go's <c>%#v</c> of a <c>[]string</c>: <c>[]string{"a", "b"}</c>.</summary>
    private static string GoSlice(string[] values) => "[]string{" + string.Join(", ", values.Select(GoText.Quote)) + "}";

    /// <summary>Go's <c>utilerrors.NewAggregate(...).Error()</c>: one message as is, several in brackets; duplicates dropped.</summary>
    private static string Aggregate(List<string> errors)
    {
        var distinct = errors.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 1 ? distinct[0] : "[" + string.Join(", ", distinct) + "]";
    }
}
