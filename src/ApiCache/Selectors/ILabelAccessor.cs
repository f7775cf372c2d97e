using System.Diagnostics.CodeAnalysis;

namespace ApiCache.Selectors;

/// <summary>
/// Read access to one object's labels, for matching without copying them into a dictionary.
/// Implement it on a struct (or ref struct) over whatever the store keeps; the generic
/// <c>Matches</c> methods then call it without boxing or allocating.
/// </summary>
internal interface ILabelAccessor
{
    /// <summary>Looks a label up by key; false when the object has no such label.</summary>
    bool TryGetLabel(string key, [MaybeNullWhen(false)] out string value);
}
