using System.Globalization;
using ApiCache.Selectors;

namespace ApiCache.Storage;

/// <summary>
/// How one <see cref="StoreQuery"/> runs against one <see cref="ObjectStore"/>: the candidate source
/// the <see cref="QueryPlanner"/> chose, and which requirements that source already answers; every
/// other requirement is checked per candidate. Valid until the store changes (plan and execute under
/// the same read lock).
/// </summary>
internal sealed class QueryPlan
{
    private readonly ObjectStore _store;
    private readonly int _answeredLabel;
    private readonly int _answeredField;
    private readonly string? _filterNamespace;
    private readonly FieldIndex? _fieldIndex;
    private readonly LabelRequirement? _labelRequirement;
    private readonly string? _value;

    /// <summary>False when the source answers every condition, so candidates are not checked at all.</summary>
    private readonly bool _hasResidual;

    /// <summary>Creates a plan; the planner validates the combination.</summary>
    /// <param name="store">The store to run against.</param>
    /// <param name="query">The query.</param>
    /// <param name="kind">The candidate source.</param>
    /// <param name="estimatedCandidates">How many candidates the source holds (lookups, for <see cref="QuerySourceKind.NameLookups"/>).</param>
    /// <param name="cost">The planner's cost estimate of the source.</param>
    /// <param name="sourceNamespace">The namespace of a point lookup or a namespace range.</param>
    /// <param name="filterNamespace">The namespace to check per candidate, when the source spans namespaces.</param>
    /// <param name="value">The name of a point or name lookup, or the value of a field index.</param>
    /// <param name="fieldIndex">The field index of <see cref="QuerySourceKind.FieldIndex"/>.</param>
    /// <param name="labelRequirement">The label requirement of <see cref="QuerySourceKind.LabelIndex"/>.</param>
    /// <param name="answeredLabel">Position of the label requirement the source answers (not re-checked), or -1.</param>
    /// <param name="answeredField">Position of the field requirement the source answers (not re-checked), or -1.</param>
    internal QueryPlan(
        ObjectStore store,
        StoreQuery query,
        QuerySourceKind kind,
        long estimatedCandidates,
        double cost,
        string? sourceNamespace,
        string? filterNamespace,
        string? value,
        FieldIndex? fieldIndex,
        LabelRequirement? labelRequirement,
        int answeredLabel,
        int answeredField)
    {
        _store = store;
        Query = query;
        Kind = kind;
        EstimatedCandidates = estimatedCandidates;
        Cost = cost;
        SourceNamespace = sourceNamespace;
        _filterNamespace = filterNamespace;
        _value = value;
        _fieldIndex = fieldIndex;
        _labelRequirement = labelRequirement;
        _answeredLabel = answeredLabel;
        _answeredField = answeredField;
        _hasResidual = filterNamespace is not null
            || query.LabelSelector.Requirements.Count > (answeredLabel >= 0 ? 1 : 0)
            || query.FieldSelector.Requirements.Count > (answeredField >= 0 ? 1 : 0);
    }

    /// <summary>The query planned.</summary>
    public StoreQuery Query { get; }

    /// <summary>The candidate source.</summary>
    public QuerySourceKind Kind { get; }

    /// <summary>Candidates the source holds (before the start key and the limit; excluding overlay entries).</summary>
    public long EstimatedCandidates { get; }

    /// <summary>The planner's cost estimate (candidate visits, weighted).</summary>
    public double Cost { get; }

    /// <summary>The namespace of a point lookup or namespace range; null otherwise.</summary>
    public string? SourceNamespace { get; }

    /// <summary>
    /// The plan in one line, e.g. <c>index spec.nodeName=node-7 (20 candidates)</c>,
    /// <c>index label app in (a,b) (300 candidates, 2 sets)</c>, <c>namespace team-a (200 candidates)</c>,
    /// <c>scan (200000 candidates)</c>, with <c> + overlay (N keys)</c> when answering for a past state.
    /// </summary>
    public string Describe()
    {
        var text = Kind switch
        {
            QuerySourceKind.PointLookup => $"point {new ObjectKey(SourceNamespace ?? "", _value ?? "")} ({Candidates(EstimatedCandidates)})",
            QuerySourceKind.NameLookups => $"lookup metadata.name={_value} in each namespace ({EstimatedCandidates} lookups)",
            QuerySourceKind.FieldIndex => $"index {_fieldIndex!.FieldPath}={_value} ({Candidates(EstimatedCandidates)})",
            QuerySourceKind.LabelIndex => $"index label {_labelRequirement} ({Candidates(EstimatedCandidates)}{Sets()})",
            QuerySourceKind.NamespaceRange => $"namespace {SourceNamespace} ({Candidates(EstimatedCandidates)})",
            _ => $"scan ({Candidates(EstimatedCandidates)})",
        };
        return Query.Overlay is { } overlay ? text + $" + overlay ({overlay.Count} keys)" : text;
    }

    /// <inheritdoc/>
    public override string ToString() => Describe();

    /// <summary>
    /// Runs the plan: appends to <paramref name="results"/> the matching objects after the start key, in
    /// key order, at most <see cref="StoreQuery.Limit"/> of them. With an overlay, keys the overlay holds
    /// take their past state (absent when null) and past objects that no longer exist are merged in;
    /// the overlay's entries are walked once per call (cost: the overlay's size), except by a point lookup.
    /// Allocates nothing per candidate; per call at most a cursor array (label <c>in</c>/exists), a small
    /// array (name lookups) and the overlay's enumerator.
    /// </summary>
    public StoreQueryResult Execute(List<CachedObject> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var query = Query;
        var limit = query.Limit;
        var overlay = query.Overlay;
        var stream = Open(out var overlayResolved);
        var added = 0;
        if (overlay is not { Count: > 0 } || overlayResolved)
        {
            added = Collect(ref stream, results, limit);
            return Finish(results, added, limit > 0 && added == limit);
        }

        IEnumerator<KeyValuePair<ObjectKey, CachedObject?>>? past = null;
        var hasPast = false;
        try
        {
            past = overlay.Entries.GetEnumerator();
            hasPast = MoveToStart(past, query.StartAfter);

            var candidate = stream.Current;
            while (true)
            {
                while (_hasResidual && candidate is not null && !PassesResidual(candidate))
                {
                    stream.MoveNext();
                    candidate = stream.Current;
                }

                CachedObject? match;
                if (hasPast && (candidate is null || past!.Current.Key.CompareTo(candidate.Key) <= 0))
                {
                    var entry = past!.Current;
                    if (candidate is not null && entry.Key.Equals(candidate.Key))
                    {
                        stream.MoveNext();
                        candidate = stream.Current;
                    }

                    hasPast = past.MoveNext();
                    match = entry.Value is { } then && MatchesAll(then) ? then : null;
                    if (match is null)
                    {
                        continue;
                    }
                }
                else if (candidate is not null)
                {
                    match = candidate;
                    stream.MoveNext();
                    candidate = stream.Current;
                }
                else
                {
                    break;
                }

                results.Add(match);
                added++;
                if (limit > 0 && added == limit)
                {
                    break;
                }
            }
        }
        finally
        {
            past?.Dispose();
        }

        return Finish(results, added, limit > 0 && added == limit);
    }

    /// <summary>
    /// The loop of <see cref="Execute"/> without an overlay to merge: the candidates that pass the
    /// residual conditions, up to the limit. Kept apart (no exception handling, no per-candidate key
    /// reads) so the stream stays in registers and a candidate's object is touched only when checked.
    /// </summary>
    private int Collect(ref CandidateStream stream, List<CachedObject> results, int limit)
    {
        var added = 0;
        for (var candidate = stream.Current; candidate is not null; candidate = stream.Current)
        {
            if (!_hasResidual || PassesResidual(candidate))
            {
                results.Add(candidate);
                added++;
                if (limit > 0 && added == limit)
                {
                    break;
                }
            }

            stream.MoveNext();
        }

        return added;
    }

    /// <summary>
    /// The result of <see cref="Execute"/>. A full page has more when any object of the listed
    /// namespace (or of all) follows its last one, matching or not: the apiserver decides so, both from
    /// etcd (more keys in the range) and from its watch cache (an item past the full page), so a full
    /// last page whose followers all fail the selectors still gets a continue token (and the next page
    /// is empty). Without selectors the count of those objects is <c>remainingItemCount</c>.
    /// </summary>
    private StoreQueryResult Finish(List<CachedObject> results, int added, bool full)
    {
        var remaining = full ? CountRemaining(results[^1].Key) : 0;
        var hasMore = remaining > 0;
        return new StoreQueryResult(added, hasMore, Query.HasNoSelectors ? remaining : null, this);
    }

    private static string Candidates(long count) =>
        count == 1 ? "1 candidate" : count.ToString(CultureInfo.InvariantCulture) + " candidates";

    /// <summary>Skips overlay entries at or before the start key; false when none is left.</summary>
    private static bool MoveToStart(IEnumerator<KeyValuePair<ObjectKey, CachedObject?>> entries, ObjectKey? startAfter)
    {
        while (entries.MoveNext())
        {
            if (startAfter is not { } start || entries.Current.Key.CompareTo(start) > 0)
            {
                return true;
            }
        }

        return false;
    }

    private string Sets()
    {
        var index = _store.Labels.Find(_labelRequirement!.Key);
        if (index is null)
        {
            return ", 0 sets";
        }

        var sets = _labelRequirement.Operator switch
        {
            LabelSelectorOperator.Equals or LabelSelectorOperator.DoubleEquals or LabelSelectorOperator.In =>
                _labelRequirement.Values.Count(v => index.CountOf(v) > 0),
            _ => index.ValueCount,
        };
        return sets == 1 ? "" : $", {sets} sets";
    }

    /// <summary>Opens the candidate stream; <paramref name="overlayResolved"/> is true when the source already applied the overlay (a point lookup).</summary>
    private CandidateStream Open(out bool overlayResolved)
    {
        overlayResolved = false;
        var start = Query.StartAfter;
        switch (Kind)
        {
            case QuerySourceKind.PointLookup:
            {
                var key = new ObjectKey(SourceNamespace!, _value!);
                var item = _store.Get(key);
                if (Query.Overlay is { } overlay && overlay.TryGetPast(key, out var then))
                {
                    item = then;
                }

                overlayResolved = true;
                return start is { } after && key.CompareTo(after) <= 0 ? CandidateStream.Empty() : CandidateStream.FromCursor(new ObjectCursor(item));
            }

            case QuerySourceKind.NameLookups:
            {
                var found = new List<CachedObject>();
                foreach (var ns in _store.NamespaceCounts.Keys)
                {
                    var key = new ObjectKey(ns, _value!);
                    if (_store.Get(key) is { } item && (start is not { } after || key.CompareTo(after) > 0))
                    {
                        found.Add(item);
                    }
                }

                found.Sort(static (a, b) => a.Key.CompareTo(b.Key));
                return CandidateStream.FromSorted([.. found]);
            }

            case QuerySourceKind.FieldIndex:
                return CandidateStream.FromCursor(_fieldIndex!.Values.Seek(_value!, start));

            case QuerySourceKind.LabelIndex:
                return OpenLabelSets(start);

            case QuerySourceKind.NamespaceRange:
            {
                var lower = new ObjectKey(SourceNamespace!, "");
                var cursor = start is { } after && after.CompareTo(lower) >= 0
                    ? _store.Objects.SeekAfter(after)
                    : _store.Objects.SeekAtOrAfter(lower);
                return CandidateStream.FromCursor(cursor, SourceNamespace);
            }

            default:
                return CandidateStream.FromCursor(start is { } from ? _store.Objects.SeekAfter(from) : _store.Objects.First());
        }
    }

    private CandidateStream OpenLabelSets(ObjectKey? start)
    {
        var requirement = _labelRequirement!;
        var index = _store.Labels.Find(requirement.Key);
        if (index is null)
        {
            return CandidateStream.Empty();
        }

        if (requirement.Operator is LabelSelectorOperator.Equals or LabelSelectorOperator.DoubleEquals or LabelSelectorOperator.In)
        {
            if (requirement.Values.Count == 1)
            {
                return CandidateStream.FromCursor(index.Seek(requirement.Values[0], start));
            }

            var cursors = new ObjectCursor[requirement.Values.Count];
            for (var i = 0; i < cursors.Length; i++)
            {
                cursors[i] = index.Seek(requirement.Values[i], start);
            }

            return CandidateStream.Merge(cursors, cursors.Length);
        }

        var all = new ObjectCursor[index.ValueCount];
        var count = index.SeekAll(all, start);
        return CandidateStream.Merge(all, count);
    }

    /// <summary>The requirements the source does not answer, and the namespace when the source spans several.</summary>
    private bool PassesResidual(CachedObject item)
    {
        if (_filterNamespace is not null && !string.Equals(item.Namespace, _filterNamespace, StringComparison.Ordinal))
        {
            return false;
        }

        var labels = Query.LabelSelector.Requirements;
        for (var i = 0; i < labels.Count; i++)
        {
            if (i != _answeredLabel && !labels[i].Matches(item))
            {
                return false;
            }
        }

        var fields = Query.FieldSelector.Requirements;
        for (var i = 0; i < fields.Count; i++)
        {
            if (i != _answeredField && !fields[i].Matches(item))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Every condition of the query, for past objects from the overlay (which no index knows).</summary>
    private bool MatchesAll(CachedObject item) =>
        (Query.Namespace is not { } ns || string.Equals(item.Namespace, ns, StringComparison.Ordinal))
        && Query.LabelSelector.Matches(item)
        && Query.FieldSelector.Matches(item);

    /// <summary>
    /// Objects after <paramref name="lastKey"/> in the query's namespace (or all), whatever the
    /// selectors: a rank difference in the primary order, corrected by the overlay's entries after the key
    /// (+1 for each past object, -1 for each key that exists now).
    /// </summary>
    private long CountRemaining(ObjectKey lastKey)
    {
        var objects = _store.Objects;
        var ns = Query.Namespace;
        long end = ns is null
            ? objects.Count
            : objects.Rank(new ObjectKey(ns, ""), inclusive: false) + _store.CountInNamespace(ns);
        var remaining = Math.Max(0, end - objects.Rank(lastKey, inclusive: true));
        if (Query.Overlay is { } overlay)
        {
            foreach (var entry in overlay.Entries)
            {
                if (entry.Key.CompareTo(lastKey) <= 0 || (ns is not null && !string.Equals(entry.Key.Namespace, ns, StringComparison.Ordinal)))
                {
                    continue;
                }

                remaining += (entry.Value is null ? 0 : 1) - (_store.Get(entry.Key) is null ? 0 : 1);
            }
        }

        return remaining;
    }
}
