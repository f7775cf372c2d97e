using ApiCache.Storage;

namespace ApiCache.Tests.Storage.Indexing;

public sealed class FieldIndexTests
{
    [Fact]
    public void Add_PodWithoutNode_IsIndexedUnderEmptyValue()
    {
        var index = new FieldIndex("spec.nodeName", 0);
        var pending = TestPods.Pod("a", "pending", node: "");
        var bound = TestPods.Pod("a", "bound", node: "n1");
        index.Add(pending);
        index.Add(bound);

        Assert.Equal(1, index.CountOf(""));
        Assert.Equal(1, index.CountOf("n1"));
        Assert.Equal(2, index.ValueCount);
        Assert.Equal([pending], TestPods.Drain(index.Values.Seek("", null)));
    }

    [Fact]
    public void Update_PodScheduled_MovesFromEmptyToNode()
    {
        var index = new FieldIndex("spec.nodeName", 0);
        var pending = TestPods.Pod("a", "p", node: "");
        index.Add(pending);
        var scheduled = TestPods.Pod("a", "p", node: "n7", resourceVersion: 2);

        index.Update(pending, scheduled);

        Assert.Equal(0, index.CountOf(""));
        Assert.Equal(1, index.ValueCount);
        Assert.Equal([scheduled], TestPods.Drain(index.Values.Seek("n7", null)));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Update_SameNode_SwapsTheReference()
    {
        var index = new FieldIndex("spec.nodeName", 0);
        var before = TestPods.Pod("a", "p", node: "n1", phase: "Pending");
        var sibling = TestPods.Pod("a", "q", node: "n1");
        index.Add(before);
        index.Add(sibling);
        var after = TestPods.Pod("a", "p", node: "n1", phase: "Running", resourceVersion: 2);

        index.Update(before, after);

        Assert.Equal(2, index.CountOf("n1"));
        Assert.Equal([after, sibling], TestPods.Drain(index.Values.Seek("n1", null)));
    }

    [Fact]
    public void Remove_LastPodsOfNodes_RemovesTheValues()
    {
        var index = new FieldIndex("spec.nodeName", 0);
        var pods = Enumerable.Range(0, 40).Select(i => TestPods.Pod("a", "p" + i, node: "n" + (i % 3))).ToList();
        pods.ForEach(index.Add);
        Assert.Equal(3, index.ValueCount);

        pods.ForEach(index.Remove);

        Assert.Equal(0, index.Count);
        Assert.Equal(0, index.ValueCount);
        Assert.Equal(0, index.CountOf("n1"));
    }
}
