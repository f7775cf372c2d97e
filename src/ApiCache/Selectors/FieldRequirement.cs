namespace ApiCache.Selectors;

/// <summary>
/// One term of a field selector (apimachinery <c>fields.Requirement</c>): a field path, an operator
/// and the unescaped value. Values compare as strings, ordinally.
/// </summary>
/// <param name="Field">The field path, e.g. <c>spec.nodeName</c>; never unescaped or trimmed, as in Go.</param>
/// <param name="Operator">Equality or inequality.</param>
/// <param name="Value">The value after unescaping <c>\\</c>, <c>\,</c> and <c>\=</c>; may be empty.</param>
internal sealed record FieldRequirement(string Field, FieldSelectorOperator Operator, string Value)
{
    /// <summary>True when the object's field value satisfies this term. Never allocates.</summary>
    public bool Matches<TFields>(TFields fields)
        where TFields : IFieldAccessor, allows ref struct
    {
        var equal = string.Equals(fields.GetFieldValue(Field), Value, StringComparison.Ordinal);
        return Operator == FieldSelectorOperator.Equals ? equal : !equal;
    }

    /// <summary>The term as the apiserver prints it: <c>field=value</c> or <c>field!=value</c>, the value escaped.</summary>
    public override string ToString() =>
        Field + (Operator == FieldSelectorOperator.Equals ? "=" : "!=") + FieldSelector.EscapeValue(Value);
}
