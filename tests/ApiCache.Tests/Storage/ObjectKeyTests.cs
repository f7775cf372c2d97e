using ApiCache.Storage;

namespace ApiCache.Tests.Storage;

/// <summary>ObjectKey orders like the apiserver's etcd keys: ordinal order of "namespace/name".</summary>
public sealed class ObjectKeyTests
{
    private static readonly string[] Parts = ["", "a", "a-b", "a.b", "ab", "a0", "b", "kube-system", "z", "a-", "aa"];

    [Fact]
    public void CompareTo_EveryPairOfNamespacedKeys_AgreesWithOrdinalOrderOfTheJoinedKey()
    {
        foreach (var ns1 in Parts.Where(p => p.Length > 0))
        {
            foreach (var ns2 in Parts.Where(p => p.Length > 0))
            {
                foreach (var n1 in Parts.Where(p => p.Length > 0))
                {
                    foreach (var n2 in Parts.Where(p => p.Length > 0))
                    {
                        var expected = Math.Sign(string.CompareOrdinal(ns1 + "/" + n1, ns2 + "/" + n2));
                        var actual = Math.Sign(new ObjectKey(ns1, n1).CompareTo(new ObjectKey(ns2, n2)));
                        Assert.True(expected == actual, $"{ns1}/{n1} vs {ns2}/{n2}: expected {expected}, got {actual}");
                    }
                }
            }
        }
    }

    [Fact]
    public void CompareTo_ClusterScopedKeys_OrderByName()
    {
        Assert.True(new ObjectKey("", "node-10").CompareTo(new ObjectKey("", "node-2")) < 0);
        Assert.Equal(0, new ObjectKey("", "n").CompareTo(new ObjectKey("", "n")));
        Assert.Equal("node-1", new ObjectKey("", "node-1").ToString());
        Assert.Equal("ns/p", new ObjectKey("ns", "p").ToString());
    }
}
