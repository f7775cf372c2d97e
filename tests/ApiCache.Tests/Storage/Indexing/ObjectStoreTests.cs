using ApiCache.Storage;

namespace ApiCache.Tests.Storage.Indexing;

public sealed class ObjectStoreTests
{
    [Fact]
    public void Upsert_NewThenUpdated_ReturnsPreviousAndKeepsOneObject()
    {
        var store = new ObjectStore(TestPods.Schema);
        var v1 = TestPods.Pod("a", "p", node: "n1", labels: [("app", "web")]);
        var v2 = TestPods.Pod("a", "p", node: "n1", resourceVersion: 2, labels: [("app", "web")]);

        Assert.Null(store.Upsert(v1));
        Assert.Same(v1, store.Upsert(v2));

        Assert.Equal(1, store.Count);
        Assert.Same(v2, store.Get(new ObjectKey("a", "p")));
        Assert.Null(store.Get(new ObjectKey("a", "q")));
        Assert.Equal(1, store.CountInNamespace("a"));
        Assert.Equal(1, store.Labels.CountOf("app", "web"));
        Assert.Same(v2, store.Labels.Find("app")!.Seek("web", null).Current);
        Assert.Same(v2, store.FieldIndexes[0].Values.Seek("n1", null).Current);
    }

    [Fact]
    public void Remove_EveryObject_CountsAndBytesReturnToZero()
    {
        var store = new ObjectStore(TestPods.Schema);
        var pods = Enumerable.Range(0, 600)
            .Select(i => TestPods.Pod("ns-" + (i % 7), "p" + i, node: "n" + (i % 5), labels: [("app", "a" + (i % 11)), ("i", "v" + i)]))
            .ToList();
        pods.ForEach(p => store.Upsert(p));
        var expectedBytes = pods.Sum(p => p.SizeInBytes + ObjectStore.PrimaryEntryBytes + (3 * ObjectStore.IndexEntryBytes));
        Assert.Equal(expectedBytes, store.Bytes);
        Assert.Equal(7, store.NamespaceCounts.Count);

        Assert.Null(store.Remove(new ObjectKey("ns-0", "missing")));
        foreach (var pod in pods)
        {
            Assert.Same(pod, store.Remove(pod.Key));
        }

        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.Bytes);
        Assert.Empty(store.NamespaceCounts);
        Assert.Equal(0, store.Labels.KeyCount);
        Assert.Equal(0, store.FieldIndexes[0].ValueCount);
        Assert.Empty(store.All);
    }

    [Fact]
    public void Upsert_LabelAndNodeChanged_MovesTheObjectInEveryIndex()
    {
        var store = new ObjectStore(TestPods.Schema);
        store.Upsert(TestPods.Pod("a", "p", node: "", labels: [("app", "web"), ("tier", "front")]));
        var moved = TestPods.Pod("a", "p", node: "n2", resourceVersion: 2, labels: [("app", "api")]);

        store.Upsert(moved);

        Assert.Equal(0, store.Labels.CountOf("app", "web"));
        Assert.Equal(1, store.Labels.CountOf("app", "api"));
        Assert.Null(store.Labels.Find("tier"));
        Assert.Equal(0, store.FieldIndexes[0].CountOf(""));
        Assert.Equal(1, store.FieldIndexes[0].CountOf("n2"));
        Assert.Equal(moved.SizeInBytes + ObjectStore.PrimaryEntryBytes + (2 * ObjectStore.IndexEntryBytes), store.Bytes);
    }

    [Fact]
    public void Upsert_NothingIndexedChanged_LeavesIndexStructuresAsTheyWere()
    {
        var store = new ObjectStore(TestPods.Schema);
        for (var i = 0; i < 50; i++)
        {
            store.Upsert(TestPods.Pod("a", "p" + i, node: "n" + (i % 2), labels: [("app", "web"), ("i", "v" + i)]));
        }

        var structure = store.StructureBytes();
        var entries = store.Labels.EntryCount;
        var updated = TestPods.Pod("a", "p7", node: "n1", phase: "Succeeded", resourceVersion: 9, labels: [("app", "web"), ("i", "v7")]);

        store.Upsert(updated);

        Assert.Equal(structure, store.StructureBytes());
        Assert.Equal(entries, store.Labels.EntryCount);
        Assert.Contains(updated, TestPods.Drain(store.Labels.Find("app")!.Seek("web", null)));
        Assert.Same(updated, store.Labels.Find("i")!.Seek("v7", null).Current);
        Assert.Contains(updated, TestPods.Drain(store.FieldIndexes[0].Values.Seek("n1", null)));
    }

    [Fact]
    public void All_NamespacesAAndABAndCluster_InApiserverOrder()
    {
        var store = new ObjectStore(TestPods.Schema);
        foreach (var key in new[] { "a/y", "a-b/x", "b/a", "a/x", "ab/x" })
        {
            var parts = key.Split('/');
            store.Upsert(TestPods.Pod(parts[0], parts[1]));
        }

        Assert.Equal(["a-b/x", "a/x", "a/y", "ab/x", "b/a"], TestPods.Keys(store.All));
        Assert.Equal(2, store.CountInNamespace("a"));
        Assert.Equal(1, store.CountInNamespace("a-b"));

        var nodes = new ObjectStore(TestPods.Schema);
        nodes.Upsert(TestPods.Pod("", "node-b"));
        nodes.Upsert(TestPods.Pod("", "node-a"));
        Assert.Equal(["node-a", "node-b"], TestPods.Keys(nodes.All));
        Assert.Equal(2, nodes.CountInNamespace(""));
    }

    [Fact]
    public void Clear_FilledStore_EmptiesObjectsIndexesAndBytes()
    {
        var store = new ObjectStore(TestPods.Schema);
        store.Upsert(TestPods.Pod("a", "p", node: "n", labels: [("app", "web")]));

        store.Clear();

        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.Bytes);
        Assert.Empty(store.NamespaceCounts);
        Assert.Equal(0, store.Labels.KeyCount);
        Assert.Equal(0, store.FieldIndexes[0].Count);
        store.Upsert(TestPods.Pod("a", "p"));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Upsert_ObjectOfAnotherSchema_Throws()
    {
        var store = new ObjectStore(new ObjectSchema(["spec.nodeName", "status.phase"], ["spec.nodeName"]));

        Assert.Throws<ArgumentException>(() => store.Upsert(TestPods.Pod("a", "p")));
        Assert.Equal(0, store.Count);
    }
}
