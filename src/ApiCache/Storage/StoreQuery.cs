using ApiCache.Selectors;

namespace ApiCache.Storage;

/// <summary>
/// What a LIST asks of an <see cref="ObjectStore"/>: a namespace (or all), label and field selectors,
/// where to resume (a continue token's key, exclusive), how many objects at most, and optionally the
/// past state to answer for. Planned by <see cref="QueryPlanner"/>; results come in key order.
/// </summary>
internal sealed record StoreQuery
{
    /// <summary>The namespace to list, or null for every namespace (and for cluster-scoped resources).</summary>
    public string? Namespace { get; init; }

    /// <summary>The label selector; <see cref="LabelSelector.Everything"/> by default.</summary>
    public LabelSelector LabelSelector { get; init; } = LabelSelector.Everything;

    /// <summary>The field selector; <see cref="FieldSelector.Everything"/> by default.</summary>
    public FieldSelector FieldSelector { get; init; } = FieldSelector.Everything;

    /// <summary>Exclusive lower bound: only objects whose key is greater are returned (a continue token resumes after its key).</summary>
    public ObjectKey? StartAfter { get; init; }

    /// <summary>At most this many objects; 0 means no limit.</summary>
    public int Limit
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>When set, the query answers for the overlay's past state instead of the current one.</summary>
    public StateOverlay? Overlay { get; init; }

    /// <summary>True when neither selector has a requirement (then the remaining count is cheap to know).</summary>
    public bool HasNoSelectors => LabelSelector.IsEverything && FieldSelector.IsEverything;
}
