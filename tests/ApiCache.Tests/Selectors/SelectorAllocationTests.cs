using System.Diagnostics.CodeAnalysis;
using ApiCache.Selectors;

namespace ApiCache.Tests.Selectors;

/// <summary>The cache matches selectors per object: matching must not allocate.</summary>
public sealed class SelectorAllocationTests
{
    private const int Rounds = 1000;

    [Fact]
    public void LabelSelectorMatches_StructAccessorAndDictionary_AllocatesNothing()
    {
        var selector = LabelSelector.Parse(
            "app=web,tier!=db,zone in (a,b,c),env notin (prod),release,!canary,n>3,m<9,big in (v1,v2,v3,v4,v5,v6,v7,v8,v9,v10)");
        var labels = new Dictionary<string, string>
        {
            ["app"] = "web", ["tier"] = "frontend", ["zone"] = "b", ["release"] = "", ["n"] = "4", ["m"] = "8", ["big"] = "v10",
        };
        var accessor = new TwoArrayLabels(["app", "tier", "zone", "release", "n", "m", "big"], ["web", "frontend", "b", "", "4", "8", "v10"]);
        Assert.True(selector.Matches(labels));
        Assert.True(selector.Matches(accessor));

        var allocated = AllocatedBy(() =>
        {
            var matched = 0;
            for (var i = 0; i < Rounds; i++)
            {
                matched += selector.Matches(labels) ? 1 : 0;
                matched += selector.Matches(accessor) ? 1 : 0;
            }

            return matched;
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void FieldSelectorMatches_StructAccessorAndDictionary_AllocatesNothing()
    {
        var selector = FieldSelector.Parse("spec.nodeName=node-1,status.phase!=Succeeded,status.phase!=Failed,metadata.namespace=team-a");
        var fields = new Dictionary<string, string> { ["spec.nodeName"] = "node-1", ["status.phase"] = "Running", ["metadata.namespace"] = "team-a" };
        var accessor = new PodFields("node-1", "Running", "team-a");
        Assert.True(selector.Matches(fields));
        Assert.True(selector.Matches(accessor));

        var allocated = AllocatedBy(() =>
        {
            var matched = 0;
            for (var i = 0; i < Rounds; i++)
            {
                matched += selector.Matches(fields) ? 1 : 0;
                matched += selector.Matches(accessor) ? 1 : 0;
            }

            return matched;
        });

        Assert.Equal(0, allocated);
    }

    /// <summary>Bytes allocated on this thread by <paramref name="work"/>, measured after two warm-up runs.</summary>
    private static long AllocatedBy(Func<int> work)
    {
        Assert.Equal(2 * Rounds, work());
        Assert.Equal(2 * Rounds, work());
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = work();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2 * Rounds, result);
        return allocated;
    }

    /// <summary>Labels kept as parallel key/value arrays, as a store might keep them.</summary>
    private readonly struct TwoArrayLabels(string[] keys, string[] values) : ILabelAccessor
    {
        public bool TryGetLabel(string key, [MaybeNullWhen(false)] out string value)
        {
            var index = Array.IndexOf(keys, key);
            value = index < 0 ? null : values[index];
            return index >= 0;
        }
    }

    /// <summary>A pod's selectable fields as extracted values.</summary>
    private readonly struct PodFields(string nodeName, string phase, string ns) : IFieldAccessor
    {
        public string GetFieldValue(string field) => field switch
        {
            "spec.nodeName" => nodeName,
            "status.phase" => phase,
            "metadata.namespace" => ns,
            _ => "",
        };
    }
}
