using System.Globalization;
using ApiCache.Selectors;
using ApiCache.Storage;

namespace ApiCache.Tests.Storage.Indexing;

/// <summary>
/// The planner's choices on a skewed store: namespace "big" holds 2,000 pods, 50 small namespaces 10
/// each; node "hot" runs 1,500 pods and 500 other nodes the rest; label app=common is on almost every
/// pod, app=rare on 3; label hash is unique per pod; label canary is on 5 pods and n on 5 (values 0, 5, 10, 15, 20).
/// </summary>
public sealed class QueryPlannerTests
{
    private static readonly ObjectStore Store = BuildSkewedStore();

    [Theory]
    [InlineData("small-3", "app=common", "", nameof(QuerySourceKind.NamespaceRange), "namespace small-3 (10 candidates)")]
    [InlineData("big", "app=rare", "", nameof(QuerySourceKind.LabelIndex), "index label app=rare (3 candidates)")]
    [InlineData(null, "", "spec.nodeName=cold-7", nameof(QuerySourceKind.FieldIndex), "index spec.nodeName=cold-7 (1 candidate)")]
    [InlineData("big", "", "spec.nodeName=hot", nameof(QuerySourceKind.FieldIndex), "index spec.nodeName=hot (1500 candidates)")]
    [InlineData("small-3", "", "spec.nodeName=hot", nameof(QuerySourceKind.NamespaceRange), "namespace small-3 (10 candidates)")]
    [InlineData("big", "app=rare", "spec.nodeName=hot", nameof(QuerySourceKind.LabelIndex), "index label app=rare (3 candidates)")]
    [InlineData("big", "app in (none,rare)", "", nameof(QuerySourceKind.LabelIndex), "index label app in (none,rare) (3 candidates)")]
    [InlineData(null, "app in (common,rare)", "", nameof(QuerySourceKind.FullScan), "scan (2500 candidates)")]
    [InlineData("big", "", "metadata.name=pod-0017", nameof(QuerySourceKind.PointLookup), "point big/pod-0017 (1 candidate)")]
    [InlineData(null, "", "metadata.name=pod-0017,metadata.namespace=big", nameof(QuerySourceKind.PointLookup), "point big/pod-0017 (1 candidate)")]
    [InlineData(null, "", "metadata.name=pod-7", nameof(QuerySourceKind.NameLookups), "lookup metadata.name=pod-7 in each namespace (51 lookups)")]
    [InlineData(null, "", "metadata.namespace=small-1", nameof(QuerySourceKind.NamespaceRange), "namespace small-1 (10 candidates)")]
    [InlineData(null, "!canary", "", nameof(QuerySourceKind.FullScan), "scan (2500 candidates)")]
    [InlineData("small-2", "!canary", "", nameof(QuerySourceKind.NamespaceRange), "namespace small-2 (10 candidates)")]
    [InlineData(null, "app!=common", "", nameof(QuerySourceKind.FullScan), "scan (2500 candidates)")]
    [InlineData(null, "app notin (common)", "spec.nodeName!=hot", nameof(QuerySourceKind.FullScan), "scan (2500 candidates)")]
    [InlineData(null, "canary", "", nameof(QuerySourceKind.LabelIndex), "index label canary (5 candidates)")]
    [InlineData("big", "tier", "", nameof(QuerySourceKind.NamespaceRange), "namespace big (2000 candidates)")]
    [InlineData(null, "app=nothing", "", nameof(QuerySourceKind.LabelIndex), "index label app=nothing (0 candidates, 0 sets)")]
    [InlineData(null, "n>3", "", nameof(QuerySourceKind.LabelIndex), "index label n>3 (5 candidates, 5 sets)")]
    public void Plan_SkewedStore_ChoosesTheCheapestSource(string? ns, string labels, string fields, string kind, string description)
    {
        var query = new StoreQuery { Namespace = ns, LabelSelector = LabelSelector.Parse(labels), FieldSelector = FieldSelector.Parse(fields) };

        var plan = QueryPlanner.Plan(Store, query);

        Assert.Equal(Enum.Parse<QuerySourceKind>(kind), plan.Kind);
        Assert.Equal(description, plan.Describe());
        AssertSameAsBruteForce(query);
    }

    [Fact]
    public void Plan_ExistsOverManyValues_PrefersTheOrderedRangeOverTheMerge()
    {
        // hash has 2,500 values of one pod each: merging 2,500 sets costs 2,500 x (1 + log2 2500) ~ 31,000
        // candidate visits, more than scanning the 2,000 pods of "big" or even all 2,500.
        var inBig = QueryPlanner.Plan(Store, new StoreQuery { Namespace = "big", LabelSelector = LabelSelector.Parse("hash") });
        var everywhere = QueryPlanner.Plan(Store, new StoreQuery { LabelSelector = LabelSelector.Parse("hash") });
        var fewValues = QueryPlanner.Plan(Store, new StoreQuery { LabelSelector = LabelSelector.Parse("hash in (h-1,h-2000)") });

        Assert.Equal(QuerySourceKind.NamespaceRange, inBig.Kind);
        Assert.Equal(QuerySourceKind.FullScan, everywhere.Kind);
        Assert.Equal(QuerySourceKind.LabelIndex, fewValues.Kind);
        Assert.Equal("index label hash in (h-1,h-2000) (2 candidates, 2 sets)", fewValues.Describe());
        Assert.True(QueryPlanner.MergeFactor(2500) * 2500 > 2500);
    }

    [Fact]
    public void Plan_ClusterScopedStore_NameIsAPointLookup()
    {
        var nodes = new ObjectStore(TestPods.Schema);
        for (var i = 0; i < 100; i++)
        {
            nodes.Upsert(TestPods.Pod("", "node-" + i));
        }

        var query = new StoreQuery { FieldSelector = FieldSelector.Parse("metadata.name=node-42") };
        var plan = QueryPlanner.Plan(nodes, query);
        var results = new List<CachedObject>();
        var result = plan.Execute(results);

        Assert.Equal(QuerySourceKind.PointLookup, plan.Kind);
        Assert.Equal("point node-42 (1 candidate)", plan.Describe());
        Assert.Equal(["node-42"], TestPods.Keys(results));
        Assert.False(result.HasMore);
        Assert.Null(result.RemainingItemCount);
    }

    [Fact]
    public void Execute_NodeIndexWithLimit_PagesInKeyOrderWithoutSelectorsRemainingUnknown()
    {
        var query = new StoreQuery { FieldSelector = FieldSelector.Parse("spec.nodeName=hot"), Limit = 600 };
        var seen = new List<CachedObject>();
        var pages = 0;
        while (true)
        {
            var page = new List<CachedObject>();
            var result = Store.Query(query, page);
            pages++;
            Assert.Null(result.RemainingItemCount);
            Assert.Equal(page.Count, result.Count);
            seen.AddRange(page);
            if (!result.HasMore)
            {
                break;
            }

            Assert.Equal(600, page.Count);
            query = query with { StartAfter = page[^1].Key };
        }

        Assert.Equal(3, pages);
        Assert.Equal(Store.All.Where(p => p.GetField(0) == "hot"), seen);
    }

    [Fact]
    public void Execute_FullListPages_ReportRemainingItemCount()
    {
        var page = new List<CachedObject>();
        var result = Store.Query(new StoreQuery { Limit = 500 }, page);
        Assert.True(result.HasMore);
        Assert.Equal(2000, result.RemainingItemCount);

        page.Clear();
        result = Store.Query(new StoreQuery { Namespace = "big", Limit = 500, StartAfter = new ObjectKey("big", "pod-0999") }, page);
        Assert.Equal("big/pod-1000", page[0].Key.ToString());
        Assert.True(result.HasMore);
        Assert.Equal(2000 - 1000 - 500, result.RemainingItemCount);

        page.Clear();
        result = Store.Query(new StoreQuery { Namespace = "small-9", Limit = 10 }, page);
        Assert.False(result.HasMore);
        Assert.Equal(0, result.RemainingItemCount);
        Assert.Equal(10, page.Count);
    }

    private static void AssertSameAsBruteForce(StoreQuery query)
    {
        var expected = Store.All
            .Where(o => query.Namespace is null || o.Namespace == query.Namespace)
            .Where(o => query.LabelSelector.Matches(o) && query.FieldSelector.Matches(o))
            .ToList();
        var actual = new List<CachedObject>();
        Store.Query(query, actual);
        Assert.Equal(expected, actual);
    }

    private static ObjectStore BuildSkewedStore()
    {
        var store = new ObjectStore(TestPods.Schema);
        var pod = 0;
        void Add(string ns, string name)
        {
            var i = pod++;
            var labels = new List<(string, string)>
            {
                ("app", i is 5 or 1500 or 2400 ? "rare" : "common"),
                ("hash", "h-" + i),
                ("tier", "t" + (i % 3)),
            };
            if (i % 600 == 1)
            {
                labels.Add(("canary", "yes"));
            }

            if (i % 500 == 0)
            {
                labels.Add(("n", (i / 100).ToString(CultureInfo.InvariantCulture)));
            }

            var node = i < 2000 ? (i % 4 == 3 ? "cold-" + (i / 4) : "hot") : "warm-" + (i - 2000);
            store.Upsert(TestPods.Pod(ns, name, node: node, labels: [.. labels]));
        }

        for (var i = 0; i < 2000; i++)
        {
            Add("big", "pod-" + i.ToString("D4", CultureInfo.InvariantCulture));
        }

        for (var n = 0; n < 50; n++)
        {
            for (var i = 0; i < 10; i++)
            {
                Add("small-" + n, "pod-" + i);
            }
        }

        return store;
    }
}
