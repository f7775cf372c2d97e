using System.Collections.ObjectModel;
using ApiCache.Selectors;

namespace ApiCache.Storage;

/// <summary>
/// Chooses where a <see cref="StoreQuery"/> takes its candidates from: the cheapest of the sources its
/// requirements allow, by estimated cost, where cost counts candidate visits.
/// </summary>
/// <remarks>
/// <para>Sources and their cost (n = objects in the store):</para>
/// <list type="bullet">
/// <item><c>metadata.name=x</c> with a namespace (from the query or from <c>metadata.namespace=y</c>),
/// or in a cluster-scoped store: a point lookup, cost 1, always taken.</item>
/// <item><c>metadata.name=x</c> across namespaces: one point lookup per namespace with objects, cost
/// namespaces × log2(n) (a lookup is a binary search; a scanned candidate is about one comparison);
/// no name index is kept, as this query is rare and the lookups beat a scan while namespaces are
/// fewer than about n / log2(n).</item>
/// <item>An indexed field's exact match (the first <c>field=value</c> term on it, as
/// <see cref="FieldSelector.TryGetExactMatch"/>): that value's set, cost = its size.</item>
/// <item>A label requirement <c>=</c>, <c>==</c>, <c>in</c> or exists: its value sets, sizes from the
/// index. <c>&gt;</c>/<c>&lt;</c> use the key's exists sets but stay a filter. The negative operators
/// (<c>!=</c>, <c>notin</c>, <c>!key</c>) are never a source: <c>!app</c> alone is a scan.</item>
/// <item>The namespace range of the primary order (cost = the namespace's object count), or a full scan (cost n).</item>
/// </list>
/// <para>Rule for sets versus ranges. Index sets are kept in key order (<see cref="SortedObjectList"/>),
/// so a single set never needs sorting and, like a range, stops as soon as the limit is reached; its
/// cost is its size. Several sets (<c>in</c> with k values, exists over k values) are merged with a heap,
/// log2(k) comparisons per candidate, so they cost size × (1 + log2 k). A merged set is therefore
/// taken over the ordered namespace range or scan it would replace only while it is smaller than about
/// range / (1 + log2 k): e.g. an exists over 1,000 values must hold less than a tenth of the range.
/// (The limit scales every ordered source alike, so it does not change the choice.) On equal cost the
/// index wins. Every requirement the chosen source does not answer, and the namespace when the source
/// spans namespaces, is checked per candidate.</para>
/// <para>With an overlay the choice is the same (the overlay's entries are walked and merged whatever
/// the source); the plan is only valid until the store changes.</para>
/// </remarks>
internal static class QueryPlanner
{
    private const string MetadataName = "metadata.name";
    private const string MetadataNamespace = "metadata.namespace";

    /// <summary>Plans <paramref name="query"/> against <paramref name="store"/>.</summary>
    public static QueryPlan Plan(ObjectStore store, StoreQuery query)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(query);
        var fields = query.FieldSelector.Requirements;
        var labels = query.LabelSelector.Requirements;

        // The namespace: the query's, or pinned by metadata.namespace=x (which stays a filter too).
        var ns = query.Namespace;
        if (ns is null && query.FieldSelector.TryGetExactMatch(MetadataNamespace, out var pinned))
        {
            ns = pinned;
        }

        var nameTerm = FirstExact(fields, MetadataName);
        if (nameTerm >= 0)
        {
            var name = fields[nameTerm].Value;
            var counts = store.NamespaceCounts;
            if (ns is null && counts.Count == 1 && counts.ContainsKey(""))
            {
                ns = ""; // a cluster-scoped store
            }

            if (ns is not null)
            {
                var exists = store.Get(new ObjectKey(ns, name)) is null ? 0 : 1;
                return new QueryPlan(store, query, QuerySourceKind.PointLookup, exists, 1, ns, null, name, null, null, -1, nameTerm);
            }
        }

        var best = new Candidate();
        if (nameTerm >= 0)
        {
            var lookups = store.NamespaceCounts.Count;
            best = best.Cheaper(new Candidate(QuerySourceKind.NameLookups, lookups, lookups * Math.Log2(store.Count + 1), AnsweredField: nameTerm));
        }

        foreach (var index in store.FieldIndexes)
        {
            var term = FirstExact(fields, index.FieldPath);
            if (term >= 0)
            {
                var size = index.CountOf(fields[term].Value);
                best = best.Cheaper(new Candidate(QuerySourceKind.FieldIndex, size, size, Field: index, AnsweredField: term));
            }
        }

        for (var i = 0; i < labels.Count; i++)
        {
            best = best.Cheaper(LabelCandidate(store.Labels, labels[i], i));
        }

        var rangeSize = ns is null ? store.Count : store.CountInNamespace(ns);
        var range = new Candidate(ns is null ? QuerySourceKind.FullScan : QuerySourceKind.NamespaceRange, rangeSize, rangeSize);
        if (best.Kind is null || range.Cost < best.Cost)
        {
            best = range;
        }

        // Sources other than the namespace range span namespaces: check the namespace per candidate.
        var filterNamespace = best.Kind == QuerySourceKind.NamespaceRange ? null : ns;
        var value = best.Kind switch
        {
            QuerySourceKind.NameLookups => fields[best.AnsweredField].Value,
            QuerySourceKind.FieldIndex => fields[best.AnsweredField].Value,
            _ => null,
        };
        return new QueryPlan(
            store,
            query,
            best.Kind!.Value,
            best.Size,
            best.Cost,
            best.Kind == QuerySourceKind.NamespaceRange ? ns : null,
            filterNamespace,
            value,
            best.Field,
            best.Label,
            best.AnsweredLabel,
            best.AnsweredField);
    }

    /// <summary>Relative cost per candidate of merging <paramref name="sets"/> key-ordered sets: 1 + log2(sets) heap comparisons.</summary>
    public static double MergeFactor(int sets) => sets <= 1 ? 1 : 1 + Math.Log2(sets);

    private static Candidate LabelCandidate(LabelIndex index, LabelRequirement requirement, int position)
    {
        switch (requirement.Operator)
        {
            case LabelSelectorOperator.Equals or LabelSelectorOperator.DoubleEquals or LabelSelectorOperator.In:
            {
                long size = 0;
                var sets = 0;
                foreach (var value in requirement.Values)
                {
                    var count = index.CountOf(requirement.Key, value);
                    size += count;
                    sets += count > 0 ? 1 : 0;
                }

                return new Candidate(QuerySourceKind.LabelIndex, size, size * MergeFactor(sets), Label: requirement, AnsweredLabel: position);
            }

            case LabelSelectorOperator.Exists or LabelSelectorOperator.GreaterThan or LabelSelectorOperator.LessThan:
            {
                long size = index.CountOf(requirement.Key);
                var cost = size * MergeFactor(index.ValueCountOf(requirement.Key));
                var answered = requirement.Operator == LabelSelectorOperator.Exists ? position : -1;
                return new Candidate(QuerySourceKind.LabelIndex, size, cost, Label: requirement, AnsweredLabel: answered);
            }

            default:
                return new Candidate();
        }
    }

    /// <summary>Position of the first <c>field=value</c> term on <paramref name="field"/> (the one <see cref="FieldSelector.TryGetExactMatch"/> reads), or -1.</summary>
    private static int FirstExact(ReadOnlyCollection<FieldRequirement> fields, string field)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (fields[i].Operator == FieldSelectorOperator.Equals && string.Equals(fields[i].Field, field, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>One possible source while planning; <see cref="Kind"/> null means none.</summary>
    private readonly record struct Candidate(
        QuerySourceKind? Kind,
        long Size,
        double Cost,
        FieldIndex? Field = null,
        LabelRequirement? Label = null,
        int AnsweredLabel = -1,
        int AnsweredField = -1)
    {
        public Candidate()
            : this(null, 0, double.PositiveInfinity)
        {
        }

        /// <summary>The cheaper of this and <paramref name="other"/>; this one on equal cost (earlier sources win ties).</summary>
        public Candidate Cheaper(Candidate other) => other.Kind is not null && other.Cost < Cost ? other : this;
    }
}
