using ApiCache.Storage;

namespace ApiCache.Tests.Storage.Indexing;

public sealed class LabelIndexTests
{
    [Fact]
    public void AddThenRemove_AllObjects_CountsGoToZeroAndKeysAreRemoved()
    {
        var index = new LabelIndex();
        var web1 = TestPods.Pod("a", "web-1", labels: [("app", "web"), ("tier", "front")]);
        var web2 = TestPods.Pod("a", "web-2", labels: [("app", "web")]);
        var db = TestPods.Pod("b", "db-1", labels: [("app", "db")]);
        index.Add(web1);
        index.Add(web2);
        index.Add(db);

        Assert.Equal(2, index.KeyCount);
        Assert.Equal(3, index.CountOf("app"));
        Assert.Equal(2, index.CountOf("app", "web"));
        Assert.Equal(2, index.ValueCountOf("app"));
        Assert.Equal(1, index.CountOf("tier"));
        Assert.Equal(4, index.EntryCount);

        index.Remove(web1);
        Assert.Equal(0, index.CountOf("tier"));
        Assert.Null(index.Find("tier"));
        Assert.Equal(1, index.CountOf("app", "web"));

        index.Remove(web2);
        Assert.Equal(0, index.CountOf("app", "web"));
        Assert.Equal(1, index.ValueCountOf("app"));
        Assert.DoesNotContain("web", index.Find("app")!.Values);

        index.Remove(db);
        Assert.Equal(0, index.KeyCount);
        Assert.Equal(0, index.EntryCount);
        Assert.Equal(0, index.CountOf("app"));
    }

    [Fact]
    public void Update_ValueChangedLabelAddedLabelRemoved_MovesBetweenSets()
    {
        var index = new LabelIndex();
        var before = TestPods.Pod("a", "web-1", labels: [("app", "web"), ("tier", "front"), ("old", "x")]);
        var other = TestPods.Pod("a", "web-2", labels: [("app", "web")]);
        index.Add(before);
        index.Add(other);
        var after = TestPods.Pod("a", "web-1", resourceVersion: 2, labels: [("app", "web"), ("tier", "back"), ("new", "y")]);

        index.Update(before, after);

        Assert.Equal(0, index.CountOf("tier", "front"));
        Assert.Equal(1, index.CountOf("tier", "back"));
        Assert.Equal(1, index.ValueCountOf("tier"));
        Assert.Null(index.Find("old"));
        Assert.Equal(1, index.CountOf("new", "y"));
        Assert.Equal(2, index.CountOf("app", "web"));
        Assert.Equal(4, index.EntryCount);
        Assert.Same(after, index.Find("tier")!.Seek("back", null).Current);
        Assert.Equal([after, other], TestPods.Drain(index.Find("app")!.Seek("web", null)));
    }

    [Fact]
    public void Update_NoLabelChanged_KeepsSetsAndSwapsTheReference()
    {
        var index = new LabelIndex();
        var before = TestPods.Pod("a", "web-1", labels: [("app", "web"), ("tier", "front")]);
        var neighbour = TestPods.Pod("a", "web-0", labels: [("app", "web"), ("tier", "front")]);
        index.Add(neighbour);
        index.Add(before);
        var after = TestPods.Pod("a", "web-1", resourceVersion: 2, labels: [("tier", "front"), ("app", "web")]);

        index.Update(before, after);

        Assert.Equal(2, index.CountOf("app", "web"));
        Assert.Equal(2, index.CountOf("tier", "front"));
        Assert.Equal(4, index.EntryCount);
        Assert.Equal([neighbour, after], TestPods.Drain(index.Find("app")!.Seek("web", null)));
        Assert.Equal([neighbour, after], TestPods.Drain(index.Find("tier")!.Seek("front", null)));
    }

    [Fact]
    public void Seek_StartAfterKey_ReturnsLaterObjectsInKeyOrder()
    {
        var index = new LabelIndex();
        var pods = new[] { "a-b/p", "a/p", "a/q", "ab/p" }.Select(k => k.Split('/')).Select(k => TestPods.Pod(k[0], k[1], labels: [("app", "web")])).ToArray();
        foreach (var pod in pods.Reverse())
        {
            index.Add(pod);
        }

        var values = index.Find("app")!;
        Assert.Equal(pods, TestPods.Drain(values.Seek("web", null)));
        Assert.Equal(pods[2..], TestPods.Drain(values.Seek("web", new ObjectKey("a", "p"))));
        Assert.Empty(TestPods.Drain(values.Seek("web", new ObjectKey("ab", "p"))));
        Assert.Empty(TestPods.Drain(values.Seek("other", null)));
    }

    [Fact]
    public void ValueIndex_OneObjectThenTwoThenOne_KeepsNoListForASingleObject()
    {
        var values = new ValueIndex();
        var first = TestPods.Pod("a", "p1");
        var second = TestPods.Pod("a", "p2");
        values.Add("v", first);
        var singleBytes = values.AllocatedBytes();
        values.Add("v", second);
        Assert.True(values.AllocatedBytes() > singleBytes);
        Assert.Equal(2, values.CountOf("v"));

        Assert.True(values.Remove("v", first.Key));
        Assert.False(values.Remove("v", first.Key));
        Assert.Equal(singleBytes, values.AllocatedBytes());
        Assert.Equal([second], TestPods.Drain(values.Seek("v", null)));
        Assert.Empty(TestPods.Drain(values.Seek("v", second.Key)));

        Assert.True(values.Remove("v", second.Key));
        Assert.Equal(0, values.Count);
        Assert.Equal(0, values.ValueCount);
    }
}
