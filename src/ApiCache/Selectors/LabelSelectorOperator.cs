namespace ApiCache.Selectors;

/// <summary>
/// The operator of one label selector requirement (apimachinery <c>selection.Operator</c>), as
/// written in the selector text.
/// </summary>
internal enum LabelSelectorOperator
{
    /// <summary><c>key=value</c>: the label exists and equals the value.</summary>
    Equals,

    /// <summary><c>key==value</c>: the same as <see cref="Equals"/>.</summary>
    DoubleEquals,

    /// <summary><c>key!=value</c>: the label is missing or differs from the value.</summary>
    NotEquals,

    /// <summary><c>key in (a,b)</c>: the label exists and is one of the values.</summary>
    In,

    /// <summary><c>key notin (a,b)</c>: the label is missing or none of the values.</summary>
    NotIn,

    /// <summary><c>key</c>: the label exists, whatever its value.</summary>
    Exists,

    /// <summary><c>!key</c>: the label is missing.</summary>
    DoesNotExist,

    /// <summary><c>key&gt;n</c>: the label exists, is an integer and is greater than n.</summary>
    GreaterThan,

    /// <summary><c>key&lt;n</c>: the label exists, is an integer and is less than n.</summary>
    LessThan,
}
