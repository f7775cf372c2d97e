using System.Globalization;
using System.Text.Json.Nodes;
using ApiCache.DevServer.Storage;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Api;

/// <summary>
/// WATCH on the dev API server through real HTTP: initial state, resume from a revision with
/// concurrent writers, selector membership changes, bookmarks, compaction and WatchList.
/// </summary>
public abstract class DevServerWatchTests : DevServerTestBase
{
    private static string Type(JsonNode e) => e["type"]!.GetValue<string>();

    private static string Name(JsonNode e) => e["object"]!["metadata"]!["name"]!.GetValue<string>();

    private static long Rv(JsonNode e) => long.Parse(e["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);

    [Fact]
    public async Task Watch_FromRevision_WithConcurrentWriters_DeliversEveryChangeOnceInRevisionOrder()
    {
        var (_, list, _) = await Host.GetAsync("/api/v1/namespaces/team-a/configmaps");
        var start = list!["metadata"]!["resourceVersion"]!.GetValue<string>();
        await using var watch = await WatchStream.OpenAsync(Host.Client, $"/api/v1/namespaces/team-a/configmaps?watch=true&resourceVersion={start}");

        const int writers = 4;
        const int perWriter = 15;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                await Host.CreateConfigMapAsync("team-a", $"w{w}-{i}");
                await Host.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/team-a/configmaps/w{w}-{i}", """{"data":{"k":"v2"}}""", "application/merge-patch+json");
            }
        })));

        var events = new List<JsonObject>();
        while (events.Count < writers * perWriter * 2)
        {
            events.Add(await watch.NextChangeAsync());
        }

        var revisions = events.Select(Rv).ToList();
        Assert.Equal(revisions.Order(), revisions);
        Assert.Equal(revisions.Count, revisions.Distinct().Count());
        Assert.All(revisions, r => Assert.True(r > long.Parse(start, CultureInfo.InvariantCulture)));
        foreach (var group in events.GroupBy(Name))
        {
            Assert.Equal(["ADDED", "MODIFIED"], group.Select(Type));
        }
    }

    [Fact]
    public async Task Watch_Unset_ReplaysStateThenInitialEventsEndBookmarkThenChanges()
    {
        await Host.CreateConfigMapAsync("team-b", "one");
        await Host.CreateConfigMapAsync("team-b", "two");
        await using var watch = await WatchStream.OpenAsync(Host.Client, "/api/v1/namespaces/team-b/configmaps?watch=1&allowWatchBookmarks=true");

        var first = await watch.NextAsync();
        var second = await watch.NextAsync();
        var bookmark = await watch.NextAsync();
        await Host.CreateConfigMapAsync("team-b", "three");
        var added = await watch.NextChangeAsync();

        Assert.Equal(("ADDED", "one"), (Type(first), Name(first)));
        Assert.Equal(("ADDED", "two"), (Type(second), Name(second)));
        Assert.Equal("BOOKMARK", Type(bookmark));
        Assert.Equal(
            "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"" + Rv(bookmark) + "\",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}}}",
            bookmark["object"]!.ToJsonString());
        Assert.Equal(("ADDED", "three"), (Type(added), Name(added)));
        Assert.Equal("application/json", watch.Response.Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task Watch_SelectorMembershipChanges_AreAddedAndDeleted()
    {
        var pod = await Host.CreatePodAsync("team-a", "web-4", labels: """{"app":"web","release":"canary"}""");
        var start = pod["metadata"]!["resourceVersion"]!.GetValue<string>();
        await using var watch = await WatchStream.OpenAsync(Host.Client, $"/api/v1/namespaces/team-a/pods?watch=1&resourceVersion={start}&labelSelector=release%3Dcanary");

        await Host.SendAsync(HttpMethod.Patch, "/api/v1/namespaces/team-a/pods/web-4", """{"metadata":{"labels":{"release":null}}}""", "application/merge-patch+json");
        await Host.SendAsync(HttpMethod.Patch, "/api/v1/namespaces/team-a/pods/web-4", """{"metadata":{"labels":{"release":"canary"}}}""", "application/merge-patch+json");
        var deleted = await watch.NextChangeAsync();
        var added = await watch.NextChangeAsync();

        Assert.Equal("DELETED", Type(deleted));
        // The old state (still labelled canary) stamped with the revision that removed the label.
        Assert.Equal("canary", deleted["object"]!["metadata"]!["labels"]!["release"]!.GetValue<string>());
        Assert.True(Rv(deleted) > long.Parse(start, CultureInfo.InvariantCulture));
        Assert.Equal("ADDED", Type(added));
        Assert.True(Rv(added) > Rv(deleted));
    }

    [Fact]
    public async Task Watch_IdleFilteredWatcher_GetsBookmarksWithTheAdvancingRevision()
    {
        var (_, list, _) = await Host.GetAsync("/api/v1/pods");
        var start = long.Parse(list!["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        await using var watch = await WatchStream.OpenAsync(Host.Client, $"/api/v1/pods?watch=1&resourceVersion={start}&allowWatchBookmarks=true&fieldSelector=spec.nodeName%3Dnode-9");

        // Writes elsewhere move the store's revision; the filtered watcher sees none of them.
        await Host.CreateConfigMapAsync("team-a", "unrelated");
        await Host.CreatePodAsync("team-a", "elsewhere", nodeName: "node-1");
        var bookmark = await watch.NextAsync();

        Assert.Equal("BOOKMARK", Type(bookmark));
        Assert.True(Rv(bookmark) > start);
        Assert.Equal(
            $$$"""{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"{{{Rv(bookmark)}}}"},"spec":{"containers":null},"status":{}}""",
            bookmark["object"]!.ToJsonString());
    }

    [Fact]
    public async Task Watch_CompactedRevision_Answers200WithOneExpiredErrorEvent()
    {
        var first = await Host.CreateConfigMapAsync("team-a", "old");
        await Host.CreateConfigMapAsync("team-a", "newer");
        await Host.CreateConfigMapAsync("team-a", "newest");
        var compactTo = await Host.Store.GetRevisionAsync(CancellationToken.None);
        await Host.Store.CompactAsync(compactTo, CancellationToken.None);
        var from = first["metadata"]!["resourceVersion"]!.GetValue<string>();

        await using var watch = await WatchStream.OpenAsync(Host.Client, $"/api/v1/namespaces/team-a/configmaps?watch=1&resourceVersion={from}&timeoutSeconds=20");
        var events = await watch.ReadToEndAsync();

        Assert.Equal(System.Net.HttpStatusCode.OK, watch.Response.StatusCode);
        var error = Assert.Single(events);
        Assert.Equal("ERROR", Type(error));
        Assert.Equal(
            $$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: {{from}} ({{compactTo}})","reason":"Expired","code":410}""",
            error["object"]!.ToJsonString());
    }

    [Fact]
    public async Task Watch_TimeoutSeconds_EndsTheStream()
    {
        var (_, list, _) = await Host.GetAsync("/api/v1/namespaces/team-a/configmaps");
        var rv = list!["metadata"]!["resourceVersion"]!.GetValue<string>();
        await using var watch = await WatchStream.OpenAsync(Host.Client, $"/api/v1/namespaces/team-a/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=1");

        var events = await watch.ReadToEndAsync();

        Assert.Equal(System.Net.HttpStatusCode.OK, watch.Response.StatusCode);
        Assert.Empty(events);
    }

    [Fact]
    public async Task WatchList_SendInitialEvents_EndsInitialEventsWithAnnotatedBookmark()
    {
        await Host.CreateAsync("/apis/example.com/v1/namespaces/team-a/widgets", """{"metadata":{"name":"gizmo"},"spec":{"size":1}}""");
        await using var watch = await WatchStream.OpenAsync(Host.Client,
            "/apis/example.com/v1/namespaces/team-a/widgets?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true");

        var added = await watch.NextAsync();
        var bookmark = await watch.NextAsync();

        Assert.Equal(("ADDED", "gizmo"), (Type(added), Name(added)));
        Assert.Equal("Widget", added["object"]!["kind"]!.GetValue<string>());
        Assert.Equal(
            $$$"""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"annotations":{"k8s.io/initial-events-end":"true"},"resourceVersion":"{{{Rv(bookmark)}}}"}}""",
            bookmark["object"]!.ToJsonString());
    }

    [Fact]
    public async Task Watch_Delete_CarriesTheLastStateWithTheDeleteRevision()
    {
        var created = await Host.CreateConfigMapAsync("team-a", "bye");
        await using var watch = await WatchStream.OpenAsync(Host.Client, $"/api/v1/namespaces/team-a/configmaps?watch=1&resourceVersion={created["metadata"]!["resourceVersion"]}");

        await Host.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/team-a/configmaps/bye");
        var deleted = await watch.NextChangeAsync();

        Assert.Equal(("DELETED", "bye"), (Type(deleted), Name(deleted)));
        Assert.True(Rv(deleted) > long.Parse(created["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        Assert.Equal(created["metadata"]!["uid"]!.GetValue<string>(), deleted["object"]!["metadata"]!["uid"]!.GetValue<string>());
    }
}

/// <summary>The watch suite over the in-memory store.</summary>
public sealed class InMemoryDevServerWatchTests : DevServerWatchTests
{
    private protected override Task<IRevisionedStore?> CreateStoreAsync() => Task.FromResult<IRevisionedStore?>(null);
}

/// <summary>The watch suite over etcd (a real etcd process).</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class EtcdDevServerWatchTests(EtcdFixture etcd) : DevServerWatchTests
{
    private protected override Task<IRevisionedStore?> CreateStoreAsync() => Task.FromResult<IRevisionedStore?>(etcd.CreateStore());
}
