using ApiCache.Selectors;
using ApiCache.Storage;

namespace ApiCache.Tests.Storage.Indexing;

/// <summary>
/// Every plan must return exactly what a brute-force filter over <see cref="ObjectStore.All"/> returns:
/// seeded random stores (built and then mutated, so the indexes are maintained incrementally), random
/// selectors over a small vocabulary with every operator, namespaces, start keys, limits and overlays.
/// </summary>
public sealed class QueryEquivalenceTests
{
    private static readonly string[] Namespaces = ["a", "a-b", "ab", "b", "kube-system"];
    private static readonly string[] Nodes = ["", "n1", "n2", "n3"];
    private static readonly string[] Phases = ["Running", "Pending"];

    /// <summary>Label "n" is rare (one object in ten), so its exists and &gt;/&lt; requirements are sometimes the cheapest source.</summary>
    private static readonly (string Key, string[] Values)[] LabelVocabulary =
    [
        ("app", ["web", "api", "db", "cache"]),
        ("tier", ["front", "back"]),
        ("env", ["prod", "dev", "test"]),
        ("n", ["0", "1", "2", "3", "4", "5"]),
        ("hash", [.. Enumerable.Range(0, 40).Select(i => "h" + i)]),
    ];

    private static readonly string[] Names = [.. Enumerable.Range(0, 200).Select(i => "p" + i)];

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public void Query_RandomStoresAndQueries_MatchBruteForce(int seed, bool clusterScoped)
    {
        var random = new Random(seed);
        var store = RandomStore(random, clusterScoped);
        var kinds = new HashSet<QuerySourceKind>();
        for (var round = 0; round < 4; round++)
        {
            Mutate(random, store, clusterScoped, 400);
            for (var q = 0; q < 500; q++)
            {
                var query = RandomQuery(random, store, clusterScoped, withOverlay: false);
                kinds.Add(AssertSameAsBruteForce(store, query));
            }
        }

        var expectedKinds = clusterScoped
            ? new[] { QuerySourceKind.PointLookup, QuerySourceKind.FieldIndex, QuerySourceKind.LabelIndex, QuerySourceKind.FullScan }
            : Enum.GetValues<QuerySourceKind>();
        Assert.Subset(kinds, new HashSet<QuerySourceKind>(expectedKinds));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Query_RandomOverlays_MatchApplyOverlayThenFilter(int seed)
    {
        var random = new Random(seed);
        var store = RandomStore(random, clusterScoped: false);
        var kinds = new HashSet<QuerySourceKind>();
        for (var q = 0; q < 1500; q++)
        {
            if (q % 100 == 99)
            {
                Mutate(random, store, clusterScoped: false, 50);
            }

            kinds.Add(AssertSameAsBruteForce(store, RandomQuery(random, store, clusterScoped: false, withOverlay: true)));
        }

        Assert.Subset(kinds, new HashSet<QuerySourceKind>(Enum.GetValues<QuerySourceKind>()));
    }

    [Theory]
    [InlineData(21, false)]
    [InlineData(22, true)]
    public void Query_PagedWithContinueKeys_ConcatenatesToTheUnpagedAnswer(int seed, bool withOverlay)
    {
        var random = new Random(seed);
        var store = RandomStore(random, clusterScoped: false);
        for (var q = 0; q < 300; q++)
        {
            var query = RandomQuery(random, store, clusterScoped: false, withOverlay) with { StartAfter = null, Limit = 0 };
            var expected = BruteForce(store, query);
            var paged = new List<CachedObject>();
            var pageQuery = query with { Limit = random.Next(1, 9) };
            for (var page = 0; page < 1000; page++)
            {
                var before = paged.Count;
                var result = store.Query(pageQuery, paged);
                Assert.Equal(paged.Count - before, result.Count);
                if (query.HasNoSelectors)
                {
                    Assert.Equal(expected.Count - paged.Count, result.RemainingItemCount);
                }

                if (!result.HasMore)
                {
                    break;
                }

                pageQuery = pageQuery with { StartAfter = paged[^1].Key };
            }

            Assert.Equal(expected, paged);
        }
    }

    private static QuerySourceKind AssertSameAsBruteForce(ObjectStore store, StoreQuery query)
    {
        var plan = QueryPlanner.Plan(store, query);
        var actual = new List<CachedObject>();
        var result = plan.Execute(actual);
        var all = BruteForce(store, query with { Limit = 0 });
        var expected = query.Limit > 0 ? all.Take(query.Limit).ToList() : all;
        var context = $"{query} planned as {plan.Describe()}";
        Assert.True(
            TestPods.Keys(expected).SequenceEqual(TestPods.Keys(actual)),
            $"{context}: expected [{string.Join(", ", TestPods.Keys(expected))}] got [{string.Join(", ", TestPods.Keys(actual))}]");
        Assert.Equal(expected, actual);
        // A full page has more when any object of the namespace (or of all) follows it, matching or not (as the apiserver).
        var inScope = BruteForce(store, query with { LabelSelector = LabelSelector.Everything, FieldSelector = FieldSelector.Everything, Limit = 0 });
        var hasMore = query.Limit > 0 && expected.Count == query.Limit && inScope.Any(o => o.Key.CompareTo(expected[^1].Key) > 0);
        Assert.True(hasMore == result.HasMore, context + ": HasMore");
        Assert.True((query.HasNoSelectors ? all.Count - expected.Count : (long?)null) == result.RemainingItemCount, context + ": RemainingItemCount " + result.RemainingItemCount);
        return plan.Kind;
    }

    /// <summary>The naive answer: apply the overlay to the current objects, sort, then filter everything.</summary>
    private static List<CachedObject> BruteForce(ObjectStore store, StoreQuery query)
    {
        var state = store.All.ToDictionary(o => o.Key);
        if (query.Overlay is { } overlay)
        {
            foreach (var (key, past) in overlay.Entries)
            {
                if (past is null)
                {
                    state.Remove(key);
                }
                else
                {
                    state[key] = past;
                }
            }
        }

        var matching = state.Values
            .Where(o => query.Namespace is null || o.Namespace == query.Namespace)
            .Where(o => query.LabelSelector.Matches(o) && query.FieldSelector.Matches(o))
            .Where(o => query.StartAfter is not { } start || o.Key.CompareTo(start) > 0)
            .OrderBy(o => o.Key)
            .ToList();
        return query.Limit > 0 ? [.. matching.Take(query.Limit)] : matching;
    }

    private static ObjectStore RandomStore(Random random, bool clusterScoped)
    {
        var store = new ObjectStore(TestPods.Schema);
        Mutate(random, store, clusterScoped, 600);
        return store;
    }

    private static void Mutate(Random random, ObjectStore store, bool clusterScoped, int operations)
    {
        for (var i = 0; i < operations; i++)
        {
            var key = RandomKey(random, clusterScoped);
            if (random.Next(4) == 0)
            {
                store.Remove(key);
            }
            else
            {
                store.Upsert(RandomPod(random, key));
            }
        }
    }

    private static ObjectKey RandomKey(Random random, bool clusterScoped) =>
        new(clusterScoped ? "" : Pick(random, Namespaces), Pick(random, Names));

    private static CachedObject RandomPod(Random random, ObjectKey key)
    {
        var labels = LabelVocabulary
            .Where(l => l.Key == "n" ? random.Next(10) == 0 : random.Next(5) < 3)
            .Select(l => (l.Key, Pick(random, l.Values)))
            .ToArray();
        return TestPods.Pod(key, Pick(random, Nodes), Pick(random, Phases), random.Next(1, 1_000_000), labels);
    }

    private static StoreQuery RandomQuery(Random random, ObjectStore store, bool clusterScoped, bool withOverlay)
    {
        var labelCount = random.Next(4) switch { 0 or 1 => 0, 2 => 1, _ => random.Next(2, 4) };
        var labels = Enumerable.Range(0, labelCount).Select(_ => RandomLabelRequirement(random)).ToList();
        var fieldCount = random.Next(3) == 0 ? random.Next(1, 3) : 0;
        var fields = Enumerable.Range(0, fieldCount).Select(_ => RandomFieldRequirement(random, clusterScoped)).ToList();
        string? ns = clusterScoped || random.Next(2) == 0 ? null : random.Next(8) == 0 ? "zz" : Pick(random, Namespaces);
        ObjectKey? start = random.Next(5) < 2
            ? new ObjectKey(clusterScoped ? "" : Pick(random, [.. Namespaces, "zz", "a0"]), random.Next(10) == 0 ? "" : Pick(random, Names))
            : null;
        var limit = random.Next(5) < 2 ? 0 : random.Next(1, 9);
        return new StoreQuery
        {
            Namespace = ns,
            LabelSelector = LabelSelector.FromRequirements(labels),
            FieldSelector = FieldSelector.FromRequirements(fields),
            StartAfter = start,
            Limit = limit,
            Overlay = withOverlay ? RandomOverlay(random, store) : null,
        };
    }

    private static LabelRequirement RandomLabelRequirement(Random random)
    {
        var op = Pick(random, Enum.GetValues<LabelSelectorOperator>());
        var (key, vocabulary) = op is LabelSelectorOperator.GreaterThan or LabelSelectorOperator.LessThan
            ? LabelVocabulary[3]
            : Pick(random, LabelVocabulary);
        string[] values = op switch
        {
            LabelSelectorOperator.Exists or LabelSelectorOperator.DoesNotExist => [],
            LabelSelectorOperator.In or LabelSelectorOperator.NotIn =>
                [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(6) == 0 ? "zz" : Pick(random, vocabulary))],
            _ => [random.Next(6) == 0 ? "9" : Pick(random, vocabulary)],
        };
        return LabelRequirement.Create(key, op, values);
    }

    private static FieldRequirement RandomFieldRequirement(Random random, bool clusterScoped)
    {
        var op = random.Next(3) == 0 ? FieldSelectorOperator.NotEquals : FieldSelectorOperator.Equals;
        return random.Next(4) switch
        {
            0 => new FieldRequirement("metadata.name", op, Pick(random, Names)),
            1 => new FieldRequirement("metadata.namespace", op, clusterScoped ? "" : Pick(random, Namespaces)),
            2 => new FieldRequirement("spec.nodeName", op, Pick(random, Nodes)),
            _ => new FieldRequirement("status.phase", op, Pick(random, Phases)),
        };
    }

    /// <summary>Past states for a few keys: existing ones changed or absent then, and keys deleted since.</summary>
    private static StateOverlay RandomOverlay(Random random, ObjectStore store)
    {
        var entries = new SortedDictionary<ObjectKey, CachedObject?>();
        var current = store.All.ToList();
        var count = random.Next(0, 25);
        for (var i = 0; i < count; i++)
        {
            var key = random.Next(2) == 0 && current.Count > 0 ? Pick(random, current).Key : RandomKey(random, clusterScoped: false);
            entries[key] = random.Next(10) < 3 ? null : RandomPod(random, key);
        }

        return new StateOverlay(random.Next(1, 1000), entries);
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
