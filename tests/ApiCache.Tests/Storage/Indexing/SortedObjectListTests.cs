using ApiCache.Storage;

namespace ApiCache.Tests.Storage.Indexing;

public sealed class SortedObjectListTests
{
    [Fact]
    public void Enumerate_NamespacesWithDashAndPrefix_FollowsApiserverKeyOrder()
    {
        var list = new SortedObjectList();
        foreach (var (ns, name) in new[] { ("ab", "a"), ("a", "z"), ("a-b", "a"), ("a", "a"), ("b", "a"), ("a", "a-b") })
        {
            list.AddOrReplace(TestPods.Pod(ns, name));
        }

        // '-' < '/' < 'a': "a-b/a" sorts before "a/a", and "ab/a" after every "a/...".
        Assert.Equal(["a-b/a", "a/a", "a/a-b", "a/z", "ab/a", "b/a"], TestPods.Keys(list.Enumerate()));
    }

    [Fact]
    public void Enumerate_ClusterScoped_OrdersByNameOrdinally()
    {
        var list = new SortedObjectList();
        foreach (var name in new[] { "node-10", "node-2", "Node-1", "node-1", "node-1a" })
        {
            list.AddOrReplace(TestPods.Pod("", name));
        }

        Assert.Equal(["Node-1", "node-1", "node-10", "node-1a", "node-2"], TestPods.Keys(list.Enumerate()));
    }

    [Fact]
    public void AddOrReplaceAndRemove_RandomOrderAcrossManyChunks_MatchesSortedReference()
    {
        var random = new Random(7);
        var list = new SortedObjectList();
        var reference = new SortedDictionary<ObjectKey, CachedObject>();
        for (var i = 0; i < 6000; i++)
        {
            var key = new ObjectKey("ns-" + random.Next(30), "pod-" + random.Next(400));
            if (random.Next(4) == 0)
            {
                reference.Remove(key, out var expectedRemoved);
                Assert.Same(expectedRemoved, list.Remove(key));
            }
            else
            {
                var item = TestPods.Pod(key, "", "Running", i, []);
                reference.TryGetValue(key, out var expectedPrevious);
                reference[key] = item;
                Assert.Same(expectedPrevious, list.AddOrReplace(item));
            }

            Assert.Equal(reference.Count, list.Count);
        }

        Assert.True(list.ChunkCount > 4);
        Assert.Equal(reference.Values, list.Enumerate());
        var keys = reference.Keys.ToArray();
        for (var probe = 0; probe < 300; probe++)
        {
            var key = new ObjectKey("ns-" + random.Next(31), "pod-" + random.Next(401));
            var below = keys.Count(k => k.CompareTo(key) < 0);
            var notAbove = keys.Count(k => k.CompareTo(key) <= 0);
            Assert.Equal(below, list.Rank(key, inclusive: false));
            Assert.Equal(notAbove, list.Rank(key, inclusive: true));
            Assert.Equal(reference.GetValueOrDefault(key), list.Get(key));
            Assert.Equal(notAbove < keys.Length ? keys[notAbove] : null, list.SeekAfter(key).Current?.Key);
            Assert.Equal(below < keys.Length ? keys[below] : null, list.SeekAtOrAfter(key).Current?.Key);
        }
    }

    [Fact]
    public void AddOrReplace_AscendingKeys_LeavesFullChunks()
    {
        var list = new SortedObjectList();
        for (var i = 0; i < 10 * SortedObjectList.MaxChunkSize; i++)
        {
            list.AddOrReplace(TestPods.Pod("ns", "pod-" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.Equal(10, list.ChunkCount);
    }

    [Fact]
    public void Remove_Everything_ReleasesAllChunks()
    {
        var list = new SortedObjectList();
        var items = Enumerable.Range(0, 3 * SortedObjectList.MaxChunkSize).Select(i => TestPods.Pod("ns", "p" + i)).ToList();
        items.ForEach(i => list.AddOrReplace(i));
        var random = new Random(3);
        foreach (var item in items.OrderBy(_ => random.Next()))
        {
            Assert.Same(item, list.Remove(item.Key));
        }

        Assert.Equal(0, list.Count);
        Assert.Equal(0, list.ChunkCount);
        Assert.Null(list.First().Current);
        Assert.Null(list.Remove(items[0].Key));
    }

    [Fact]
    public void Cursor_MovesAcrossChunkBoundaries_VisitsEveryObjectOnce()
    {
        var list = new SortedObjectList();
        for (var i = 0; i < 1000; i++)
        {
            list.AddOrReplace(TestPods.Pod("ns", "p" + (i * 7919 % 1000)));
        }

        var visited = new List<CachedObject>();
        for (var cursor = list.First(); cursor.Current is not null; cursor.MoveNext())
        {
            visited.Add(cursor.Current);
        }

        Assert.Equal(list.Enumerate(), visited);
        Assert.Equal(1000, visited.Select(v => v.Key).Distinct().Count());
    }
}
