using System.Diagnostics.CodeAnalysis;

namespace ApiCache.Selectors;

/// <summary>An <see cref="ILabelAccessor"/> over a dictionary of labels; null means no labels.</summary>
internal readonly struct DictionaryLabelAccessor(IReadOnlyDictionary<string, string>? labels) : ILabelAccessor
{
    /// <inheritdoc />
    public bool TryGetLabel(string key, [MaybeNullWhen(false)] out string value)
    {
        if (labels is null)
        {
            value = null;
            return false;
        }

        return labels.TryGetValue(key, out value);
    }
}
