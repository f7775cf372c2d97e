using ApiCache.Selectors;
using ApiCache.Storage;

namespace ApiCache.Watch;

/// <summary>
/// Which objects one watcher sees: a namespace (or all) and its label and field selectors. When the
/// field selector pins an indexed field to one value (pods: <c>spec.nodeName=node-1</c>, what every
/// kubelet asks), that value is the watcher's trigger: the dispatcher only shows it events whose
/// object had or has that value, as the apiserver's cacher does with its trigger functions.
/// </summary>
internal sealed class WatchFilter
{
    private readonly LabelSelector _labels;
    private readonly FieldSelector _fields;

    /// <summary>Creates the filter of a watch in <paramref name="ns"/> (null: every namespace) with <paramref name="selectors"/>.</summary>
    public WatchFilter(string? ns, ListSelectors selectors, ObjectSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Namespace = ns;
        _labels = selectors.Labels;
        _fields = selectors.Fields;
        foreach (var field in schema.IndexedFields)
        {
            if (_fields.TryGetExactMatch(field, out var value) && schema.IndexOf(field) is var position and >= 0)
            {
                TriggerPosition = position;
                TriggerValue = value;
                break;
            }
        }
    }

    /// <summary>The namespace watched, or null for all.</summary>
    public string? Namespace { get; }

    /// <summary>The schema position of the indexed field the selector pins, or -1.</summary>
    public int TriggerPosition { get; } = -1;

    /// <summary>The value the selector pins that field to (when <see cref="TriggerPosition"/> is set).</summary>
    public string? TriggerValue { get; }

    /// <summary>True when the watcher sees <paramref name="cachedObject"/> (in this state).</summary>
    public bool Matches(CachedObject cachedObject)
    {
        ArgumentNullException.ThrowIfNull(cachedObject);
        return (Namespace is null || string.Equals(cachedObject.Namespace, Namespace, StringComparison.Ordinal))
            && _labels.Matches(cachedObject)
            && _fields.Matches(cachedObject);
    }

    /// <summary>
    /// How the watcher sees <paramref name="e"/>, as the apiserver's cacher decides it from the
    /// previous and the current state: an object that starts matching is ADDED, one that stops is
    /// DELETED carrying its old state at the new version, one that matches both is MODIFIED, and a
    /// deletion is seen when the last state matched.
    /// </summary>
    public EventDelivery Classify(WatchCacheEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        switch (e.Type)
        {
            case WatchEventType.Deleted:
                return Matches(e.Previous ?? e.Object) ? EventDelivery.Deleted : EventDelivery.None;
            case WatchEventType.Added when e.Previous is null:
                return Matches(e.Object) ? EventDelivery.Added : EventDelivery.None;
            default:
                var now = Matches(e.Object);
                var before = e.Previous is not null && Matches(e.Previous);
                return (before, now) switch
                {
                    (true, true) => EventDelivery.Modified,
                    (false, true) => EventDelivery.Added,
                    (true, false) => EventDelivery.DeletedPrevious,
                    _ => EventDelivery.None,
                };
        }
    }
}
