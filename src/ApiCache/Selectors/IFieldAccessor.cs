namespace ApiCache.Selectors;

/// <summary>
/// Read access to one object's selectable fields (the apiserver's <c>fields.Set</c>), for matching a
/// <see cref="FieldSelector"/>. Implement it on a struct over the store's extracted fields; the
/// generic <c>Matches</c> methods call it without boxing or allocating.
/// </summary>
internal interface IFieldAccessor
{
    /// <summary>
    /// The value of a field path such as <c>spec.nodeName</c>, rendered as the apiserver renders it
    /// (booleans as <c>true</c>/<c>false</c>); the empty string when the object lacks the field.
    /// </summary>
    string GetFieldValue(string field);
}
