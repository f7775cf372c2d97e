namespace ApiCache.Selectors;

/// <summary>The operator of one field selector requirement: <c>=</c> and <c>==</c> are the same.</summary>
internal enum FieldSelectorOperator
{
    /// <summary><c>field=value</c> or <c>field==value</c>: the field's value (missing reads as "") equals the value.</summary>
    Equals,

    /// <summary><c>field!=value</c>: the field's value (missing reads as "") differs from the value.</summary>
    NotEquals,
}
