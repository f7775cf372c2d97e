using System.Text;
using ApiCache.DevServer.Embedding;
using ApiCache.DevServer.Resources;
using ApiCache.DevServer.Storage;

namespace ApiCache.Tests.Embedding;

/// <summary>
/// The per-resource last-write tracker behind the dev server's revision source: what counts as a
/// resource's write, the floor for writes made before tracking, and writes whose revision is not
/// known yet (in flight) or never will be (failed after committing).
/// </summary>
public sealed class ResourceWriteTrackerTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private static readonly byte[] Value = Encoding.UTF8.GetBytes("{}");

    [Fact]
    public async Task GetTargetAsync_WritesOfOtherResources_DoNotMoveTheTarget()
    {
        await using var inner = new InMemoryRevisionedStore();
        var (tracker, store) = Tracked(inner);

        var configMap = (await store.CreateAsync("/registry/configmaps/team-a/settings", Value, CancellationToken.None)).Revision;
        var pod = (await store.CreateAsync("/registry/pods/team-a/web-0", Value, CancellationToken.None)).Revision;
        var node = (await store.CreateAsync("/registry/minions/node-1", Value, CancellationToken.None)).Revision;
        var deleted = (await store.DeleteAsync("/registry/configmaps/team-a/settings", null, CancellationToken.None)).Revision;

        Assert.Equal(new(pod, deleted), await tracker.GetTargetAsync("/registry/pods/", CancellationToken.None));
        Assert.Equal(new(deleted, deleted), await tracker.GetTargetAsync("/registry/configmaps/", CancellationToken.None));
        Assert.Equal(new(node, deleted), await tracker.GetTargetAsync("/registry/minions/", CancellationToken.None));
        Assert.True(configMap < pod);
    }

    [Fact]
    public async Task GetTargetAsync_FailedConditionsAndCompaction_DoNotCount()
    {
        await using var inner = new InMemoryRevisionedStore();
        var (tracker, store) = Tracked(inner);
        var created = await store.CreateAsync("/registry/configmaps/team-a/settings", Value, CancellationToken.None);
        await store.CreateAsync("/registry/pods/team-a/web-0", Value, CancellationToken.None);

        var again = await store.CreateAsync("/registry/configmaps/team-a/settings", Value, CancellationToken.None);
        var stale = await store.UpdateAsync("/registry/configmaps/team-a/settings", Value, created.Revision - 1, CancellationToken.None);
        await store.CompactAsync(created.Revision, CancellationToken.None);
        var target = await tracker.GetTargetAsync("/registry/configmaps/", CancellationToken.None);

        Assert.False(again.Succeeded);
        Assert.False(stale.Succeeded);
        Assert.Equal(created.Revision, target.WaitFor);
    }

    [Fact]
    public async Task GetTargetAsync_BroaderAndNarrowerPrefixes_CoverTheResourcesUnderThem()
    {
        await using var inner = new InMemoryRevisionedStore();
        var (tracker, store) = Tracked(inner);
        var service = (await store.CreateAsync("/registry/services/specs/team-a/web", Value, CancellationToken.None)).Revision;
        var endpoints = (await store.CreateAsync("/registry/services/endpoints/team-a/web", Value, CancellationToken.None)).Revision;
        var pod = (await store.CreateAsync("/registry/pods/team-a/web-0", Value, CancellationToken.None)).Revision;

        Assert.Equal(pod, (await tracker.GetTargetAsync("/registry/", CancellationToken.None)).WaitFor);
        Assert.Equal(endpoints, (await tracker.GetTargetAsync("/registry/services/", CancellationToken.None)).WaitFor);
        Assert.Equal(service, (await tracker.GetTargetAsync("/registry/services/specs/", CancellationToken.None)).WaitFor);
        Assert.Equal(pod, (await tracker.GetTargetAsync("/registry/pods/team-b/", CancellationToken.None)).WaitFor);
    }

    [Fact]
    public async Task GetTargetAsync_WritesBeforeTrackingBegan_AreCoveredByTheStartingRevision()
    {
        await using var inner = new InMemoryRevisionedStore();
        await inner.CreateAsync("/registry/pods/team-a/old", Value, CancellationToken.None);
        var before = await inner.CreateAsync("/registry/configmaps/team-a/old", Value, CancellationToken.None);
        var (tracker, store) = Tracked(inner);

        var configMap = (await store.CreateAsync("/registry/configmaps/team-a/new", Value, CancellationToken.None)).Revision;

        Assert.Equal(new(before.Revision, configMap), await tracker.GetTargetAsync("/registry/pods/", CancellationToken.None));
        Assert.Equal(new(configMap, configMap), await tracker.GetTargetAsync("/registry/configmaps/", CancellationToken.None));
    }

    [Fact]
    public async Task GetTargetAsync_Seeding_CountsForEveryResourceInTheBatch()
    {
        await using var inner = new InMemoryRevisionedStore();
        var (tracker, store) = Tracked(inner);
        var node = (await store.CreateAsync("/registry/minions/node-1", Value, CancellationToken.None)).Revision;

        var seeded = await store.CreateManyAsync(
            [new("/registry/pods/team-a/p-0", Value), new("/registry/pods/team-a/p-1", Value), new("/registry/configmaps/team-a/c-0", Value)],
            CancellationToken.None);

        Assert.Equal(seeded, (await tracker.GetTargetAsync("/registry/pods/", CancellationToken.None)).WaitFor);
        Assert.Equal(seeded, (await tracker.GetTargetAsync("/registry/configmaps/", CancellationToken.None)).WaitFor);
        Assert.Equal(node, (await tracker.GetTargetAsync("/registry/minions/", CancellationToken.None)).WaitFor);
    }

    [Fact]
    public async Task GetTargetAsync_WriteInFlight_WaitsForItAndIncludesItsRevision()
    {
        await using var inner = new GatedStore();
        var (tracker, store) = Tracked(inner);
        await store.CreateAsync("/registry/pods/team-a/web-0", Value, CancellationToken.None);
        var committed = inner.Arm();

        var write = store.CreateAsync("/registry/pods/team-a/web-1", Value, CancellationToken.None).AsTask();
        var revision = await committed.WaitAsync(Guard);
        var lookup = tracker.GetTargetAsync("/registry/pods/", CancellationToken.None).AsTask();
        var other = await tracker.GetTargetAsync("/registry/configmaps/", CancellationToken.None).AsTask().WaitAsync(Guard);
        Assert.False(lookup.IsCompleted);
        inner.Release();
        await write.WaitAsync(Guard);

        Assert.Equal(new(revision, revision), await lookup.WaitAsync(Guard));
        Assert.Equal(revision, other.Current);
        Assert.True(other.WaitFor < revision);
    }

    [Fact]
    public async Task GetTargetAsync_WriteFailedAfterCommitting_IsAssumedAtTheNextCurrentRevision()
    {
        await using var inner = new GatedStore();
        var (tracker, store) = Tracked(inner);
        await store.CreateAsync("/registry/configmaps/team-a/settings", Value, CancellationToken.None);
        var committed = inner.Arm(fail: true);

        var write = store.CreateAsync("/registry/pods/team-a/web-0", Value, CancellationToken.None).AsTask();
        var revision = await committed.WaitAsync(Guard);
        inner.Release();
        await Assert.ThrowsAsync<StoreUnavailableException>(() => write.WaitAsync(Guard));
        var configMap = (await store.CreateAsync("/registry/configmaps/team-a/later", Value, CancellationToken.None)).Revision;

        var target = await tracker.GetTargetAsync("/registry/pods/", CancellationToken.None);

        // The pod's revision was never learned: the first lookup after the failure takes the current one.
        Assert.True(target.WaitFor >= revision);
        Assert.Equal(new(configMap, configMap), target);
    }

    [Theory]
    [InlineData("/registry/pods/", "", "/registry/pods/")]
    [InlineData("/registry/pods/", "/dev-1", "/registry/pods/")]
    [InlineData("/dev-1/registry/pods/", "/dev-1", "/registry/pods/")]
    [InlineData("/dev-1/registry/pods/", "/dev-1/", "/registry/pods/")]
    [InlineData("/dev-10/registry/pods/", "/dev-1", "/dev-10/registry/pods/")]
    public void ToStoreLayout_EtcdPrefix_IsStrippedOnlyWhenItIsTheStoresOwn(string etcdKeyPrefix, string storeKeyPrefix, string expected)
    {
        Assert.Equal(expected, DevServerRevisionSource.ToStoreLayout(etcdKeyPrefix, storeKeyPrefix));
    }

    private static (ResourceWriteTracker Tracker, IRevisionedStore Store) Tracked(IRevisionedStore inner)
    {
        var tracker = new ResourceWriteTracker(new ResourceCatalog(), inner);
        return (tracker, new WriteTrackingStore(inner, tracker));
    }
}
