using ApiCache.Selectors;
using ApiCache.Storage;
using ApiCache.Watch;

namespace ApiCache.Tests.Watch;

/// <summary><see cref="WatchFilter"/>: the trigger it derives from a field selector and how it sees each change (fixtures README "Notable facts" 7).</summary>
public sealed class WatchFilterTests
{
    [Fact]
    public void Constructor_NodeNameSelector_PinsTheIndexedFieldAsTrigger()
    {
        var filter = Filter(null, "", "spec.nodeName=node-1");

        Assert.Equal(WatchTestPods.Schema.IndexOf("spec.nodeName"), filter.TriggerPosition);
        Assert.Equal("node-1", filter.TriggerValue);
        Assert.Equal(-1, Filter(null, "", "spec.nodeName!=node-1").TriggerPosition);
        Assert.Equal(-1, Filter("ns", "app=web", "").TriggerPosition);
    }

    [Theory]
    [InlineData("web", "web", "Modified")]
    [InlineData("db", "web", "Added")]
    [InlineData("web", "db", "DeletedPrevious")]
    [InlineData("db", "db", "None")]
    public void Classify_LabelFlip_FollowsMembership(string before, string after, string delivery)
    {
        var expected = Enum.Parse<EventDelivery>(delivery);
        var e = new WatchCacheEvent(WatchEventType.Modified, WatchTestPods.Pod("a", 9, app: after), WatchTestPods.Pod("a", 5, app: before), 9, DateTimeOffset.UnixEpoch);

        Assert.Equal(expected, Filter(null, "app=web", "").Classify(e));
    }

    [Fact]
    public void Classify_NodeMove_IsDeletedForTheOldNodeAndAddedForTheNew()
    {
        var e = new WatchCacheEvent(WatchEventType.Modified, WatchTestPods.Pod("a", 9, node: "n2"), WatchTestPods.Pod("a", 5, node: "n1"), 9, DateTimeOffset.UnixEpoch);

        Assert.Equal(EventDelivery.DeletedPrevious, Filter(null, "", "spec.nodeName=n1").Classify(e));
        Assert.Equal(EventDelivery.Added, Filter(null, "", "spec.nodeName=n2").Classify(e));
        Assert.Equal(EventDelivery.None, Filter(null, "", "spec.nodeName=n3").Classify(e));
    }

    [Fact]
    public void Classify_DeleteAndAdd_UseTheLastAndNewState()
    {
        var last = WatchTestPods.Pod("a", 5, app: "web");
        var deleted = new WatchCacheEvent(WatchEventType.Deleted, WatchTestPods.Pod("a", 9, app: "web"), last, 9, DateTimeOffset.UnixEpoch);
        var added = new WatchCacheEvent(WatchEventType.Added, WatchTestPods.Pod("b", 10, app: "web", ns: "other"), null, 10, DateTimeOffset.UnixEpoch);

        Assert.Equal(EventDelivery.Deleted, Filter(null, "app=web", "").Classify(deleted));
        Assert.Equal(EventDelivery.None, Filter(null, "app=db", "").Classify(deleted));
        Assert.Equal(EventDelivery.Added, Filter("other", "", "").Classify(added));
        Assert.Equal(EventDelivery.None, Filter("ns", "", "").Classify(added));
    }

    internal static WatchFilter Filter(string? ns, string labels, string fields)
    {
        Assert.True(ListSelectors.TryParse(labels, fields, FieldLabelConversion.Pods, out var selectors, out var error), error?.Message);
        return new WatchFilter(ns, selectors, WatchTestPods.Schema);
    }
}
