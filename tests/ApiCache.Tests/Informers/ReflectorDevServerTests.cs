using System.Globalization;
using System.Text.Json.Nodes;
using ApiCache.Informers;
using ApiCache.Storage;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Informers;

/// <summary>
/// The reflector against the real dev API server: paginated initial list, ordered watch events,
/// bookmarks, resuming a dropped watch, 410 after compaction, the budget failure and shutdown.
/// </summary>
public sealed class ReflectorDevServerTests : IAsyncLifetime, IDisposable
{
    private const string ConfigMaps = "/api/v1/namespaces/team-a/configmaps";

    /// <summary>Fast retries; long watches (so a watch only ends when a test makes it).</summary>
    private static readonly ReflectorSettings Fast = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(100),
        MinWatchTimeout = TimeSpan.FromSeconds(60),
    };

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly DroppableHandler _handler = new();
    private readonly RecordingSink _sink = new();
    private readonly CancellationTokenSource _stop = new();
    private DevServerHost _host = null!;
    private Task? _run;

    public async Task InitializeAsync()
    {
        _host = await DevServerHost.StartAsync();
        await _host.CreateNamespaceAsync("team-a");
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(Deadline);
        }

        await _host.DisposeAsync();
    }

    public void Dispose()
    {
        _stop.Dispose();
        _handler.Dispose();
    }

    [Fact]
    public async Task RunAsync_ThirtyObjectsInPagesOfSeven_ReplacesWithEveryObjectAtTheListRv()
    {
        for (var i = 0; i < 30; i++)
        {
            await _host.CreateConfigMapAsync("team-a", $"cm-{i:D2}");
        }

        var revision = await _host.Store.GetRevisionAsync(CancellationToken.None);
        var reflector = Start(Fast with { PageSize = 7 });

        await _sink.WaitForAsync(c => c.Any(x => x.Kind == SinkCallKind.Replace), "the initial list");

        var replace = Assert.Single(_sink.Of(SinkCallKind.Replace));
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"cm-{i:D2}"), replace.Items!.Select(o => o.Name));
        Assert.All(replace.Items!, o => Assert.Equal("team-a", o.Namespace));
        Assert.Equal(revision, replace.ResourceVersion);
        Assert.Equal(new ListTypeInfo("ConfigMapList", "v1", false), replace.TypeInfo);
        Assert.Equal(SinkCallKind.RelistStarting, _sink.Calls[0].Kind);
        Assert.Equal(RelistReason.Initial, _sink.Calls[0].Reason);
        var lists = _handler.Sent.Where(t => !t.Contains("watch=true", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, lists.Count);
        Assert.Equal(ConfigMaps + "?limit=7", lists[0]);
        Assert.All(lists.Skip(1), t => Assert.StartsWith(ConfigMaps + "?limit=7&continue=", t, StringComparison.Ordinal));
        await Eventually.TrueAsync(() => reflector.State == ReflectorState.Watching && _handler.Sent.Any(t => t.Contains("watch=true", StringComparison.Ordinal)), () => "the watch");
        Assert.Equal(revision, reflector.LastResourceVersion);
        Assert.Equal(1, reflector.GetRelistCount(RelistReason.Initial));
    }

    [Fact]
    public async Task RunAsync_CustomResource_ReplacesWithTypeMetaCarryingItems()
    {
        await _host.CreateAsync("/apis/example.com/v1/namespaces/team-a/widgets", """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"gizmo"},"spec":{"size":1}}""");
        Start(Fast, "/apis/example.com/v1/widgets", "example.com/widgets");

        await _sink.WaitForAsync(c => c.Any(x => x.Kind == SinkCallKind.Replace), "the initial list");

        var replace = Assert.Single(_sink.Of(SinkCallKind.Replace));
        Assert.Equal(new ListTypeInfo("WidgetList", "example.com/v1", true), replace.TypeInfo);
        Assert.Equal("Widget", replace.TypeInfo!.Kind);
        Assert.Equal("gizmo", Assert.Single(replace.Items!).Name);
    }

    [Fact]
    public async Task RunAsync_Changes_AreAppliedInOrderWithTheirTypes()
    {
        var reflector = Start(Fast);
        await _sink.WaitForAsync(c => c.Any(x => x.Kind == SinkCallKind.Replace), "the initial list");
        await Eventually.TrueAsync(() => _handler.Sent.Any(t => t.Contains("watch=true", StringComparison.Ordinal)), () => "the watch");

        var created = await _host.CreateConfigMapAsync("team-a", "x");
        await _host.SendAsync(HttpMethod.Patch, ConfigMaps + "/x", """{"data":{"k":"v2"}}""", "application/merge-patch+json");
        await _host.SendAsync(HttpMethod.Delete, ConfigMaps + "/x");
        var last = await _host.CreateConfigMapAsync("team-a", "y");
        await _sink.WaitForAsync(c => c.Count(x => x.Kind == SinkCallKind.Apply) >= 4, "four changes");

        var applied = _sink.Of(SinkCallKind.Apply);
        Assert.Equal(
            [(WatchEventType.Added, "x"), (WatchEventType.Modified, "x"), (WatchEventType.Deleted, "x"), (WatchEventType.Added, "y")],
            applied.Select(a => (a.Type!.Value, a.Object!.Name)));
        Assert.Equal(applied.Select(a => a.ResourceVersion).Order(), applied.Select(a => a.ResourceVersion));
        Assert.Equal(4, applied.Select(a => a.ResourceVersion).Distinct().Count());
        Assert.Equal(Rv(created), applied[0].ResourceVersion);
        Assert.Equal(Rv(last), applied[3].ResourceVersion);
        Assert.Equal("v2", JsonNode.Parse(applied[1].Object!.Json)!["data"]!["k"]!.GetValue<string>());
        Assert.True(reflector.LastResourceVersion >= Rv(last));
        Assert.Equal(2, reflector.GetEventCount(UpstreamWatchEventType.Added));
        Assert.Equal(1, reflector.GetEventCount(UpstreamWatchEventType.Modified));
        Assert.Equal(1, reflector.GetEventCount(UpstreamWatchEventType.Deleted));
        Assert.Equal(["y"], _sink.State.Values.Select(o => o.Name));
    }

    [Fact]
    public async Task RunAsync_WritesElsewhere_BookmarksAdvanceProgressAndTheLastRv()
    {
        var reflector = Start(Fast);
        await _sink.WaitForAsync(c => c.Any(x => x.Kind == SinkCallKind.Replace), "the initial list");
        var listRv = _sink.Of(SinkCallKind.Replace)[0].ResourceVersion;
        await Eventually.TrueAsync(() => _handler.Sent.Any(t => t.Contains("watch=true", StringComparison.Ordinal)), () => "the watch");

        // Another collection moves the store's revision; the configmap watch sees only bookmarks.
        var elsewhere = await _host.CreateNamespaceAsync("team-b");
        await _sink.WaitForAsync(c => c.Any(x => x.Kind == SinkCallKind.Progress && x.ResourceVersion >= Rv(elsewhere)), "a bookmark past the other write");

        Assert.Empty(_sink.Of(SinkCallKind.Apply));
        Assert.True(Rv(elsewhere) > listRv);
        Assert.True(reflector.LastResourceVersion >= Rv(elsewhere));
        Assert.True(reflector.GetEventCount(UpstreamWatchEventType.Bookmark) >= 1);
        Assert.Equal(0, reflector.WatchRestarts);
    }

    [Fact]
    public async Task RunAsync_ConnectionDropped_ResumesFromTheLastRvWithoutRelisting()
    {
        await _host.CreateConfigMapAsync("team-a", "before-1");
        await _host.CreateConfigMapAsync("team-a", "before-2");
        await _host.CreateConfigMapAsync("team-a", "before-3");
        var reflector = Start(Fast with { PageSize = 2 });
        await _sink.WaitForAsync(c => c.Any(x => x.Kind == SinkCallKind.Replace), "the initial list");
        await Eventually.TrueAsync(() => _handler.Sent.Any(t => t.Contains("watch=true", StringComparison.Ordinal)), () => "the watch");
        await _host.CreateConfigMapAsync("team-a", "a1");
        var a2 = await _host.CreateConfigMapAsync("team-a", "a2");
        await _sink.WaitForAsync(c => c.Count(x => x.Kind == SinkCallKind.Apply) == 2, "a1 and a2");

        // Act: cut the connection and keep the upstream unreachable while it changes.
        _handler.Offline = true;
        _handler.DropWatches();
        await Eventually.TrueAsync(() => _handler.Requests.Any(r => r.StartsWith("refused:", StringComparison.Ordinal)), () => "a refused reconnect");
        await _host.CreateConfigMapAsync("team-a", "a3");
        await _host.SendAsync(HttpMethod.Patch, ConfigMaps + "/a1", """{"data":{"k":"v2"}}""", "application/merge-patch+json");
        await _host.SendAsync(HttpMethod.Delete, ConfigMaps + "/a2");
        var dropAt = _handler.Requests.Count;
        _handler.Offline = false;
        await _sink.WaitForAsync(c => c.Count(x => x.Kind == SinkCallKind.Apply) >= 5, "the changes made while disconnected");

        // Assert: no re-list, every change exactly once and in order, the watch resumed at a2's RV.
        Assert.Equal([RelistReason.Initial], _sink.Of(SinkCallKind.RelistStarting).Select(c => c.Reason!.Value));
        Assert.Single(_sink.Of(SinkCallKind.Replace));
        Assert.Equal(1, reflector.GetRelistCount(RelistReason.Initial));
        Assert.Equal(0, reflector.GetRelistCount(RelistReason.Expired) + reflector.GetRelistCount(RelistReason.DecodeError) + reflector.GetRelistCount(RelistReason.ListFailed));
        var applied = _sink.Of(SinkCallKind.Apply);
        Assert.Equal(
            [(WatchEventType.Added, "a1"), (WatchEventType.Added, "a2"), (WatchEventType.Added, "a3"), (WatchEventType.Modified, "a1"), (WatchEventType.Deleted, "a2")],
            applied.Select(a => (a.Type!.Value, a.Object!.Name)));
        Assert.Equal(applied.Select(a => a.ResourceVersion).Order(), applied.Select(a => a.ResourceVersion));
        Assert.Equal(2, _handler.Sent.Count(t => !t.Contains("watch=true", StringComparison.Ordinal))); // the two pages of the initial list
        var resumed = _handler.Requests.Skip(dropAt).First(t => !t.StartsWith("refused:", StringComparison.Ordinal));
        Assert.Equal(Rv(a2).ToString(CultureInfo.InvariantCulture), ListWatchClientTests.Query(resumed)["resourceVersion"]);
        Assert.True(reflector.WatchRestarts >= 1);
        Assert.Contains("unreachable", reflector.LastError!.Message, StringComparison.Ordinal);
        Assert.Equal(["a1", "a3", "before-1", "before-2", "before-3"], _sink.State.Values.Select(o => o.Name));
    }

    [Fact]
    public async Task RunAsync_CompactedPastTheRvWhileDisconnected_RelistsExactlyOnceWithExpired()
    {
        var reflector = Start(Fast);
        await _sink.WaitForAsync(c => c.Any(x => x.Kind == SinkCallKind.Replace), "the initial list");
        await Eventually.TrueAsync(() => _handler.Sent.Any(t => t.Contains("watch=true", StringComparison.Ordinal)), () => "the watch");
        var b1 = await _host.CreateConfigMapAsync("team-a", "b1");
        await _sink.WaitForAsync(c => c.Any(x => x.Kind == SinkCallKind.Apply), "b1");

        _handler.Offline = true;
        _handler.DropWatches();
        await Eventually.TrueAsync(() => _handler.Requests.Any(r => r.StartsWith("refused:", StringComparison.Ordinal)), () => "a refused reconnect");
        await _host.CreateConfigMapAsync("team-a", "b2");
        await _host.CreateConfigMapAsync("team-a", "b3");
        var compacted = await _host.Store.GetRevisionAsync(CancellationToken.None);
        await _host.Store.CompactAsync(compacted, CancellationToken.None);
        _handler.Offline = false;
        await _sink.WaitForAsync(c => c.Count(x => x.Kind == SinkCallKind.Replace) == 2, "the re-list");

        // A later change still arrives through the resumed watch, with no further re-list.
        var b4 = await _host.CreateConfigMapAsync("team-a", "b4");
        await _sink.WaitForAsync(c => c.Any(x => x.Kind == SinkCallKind.Apply && x.Object!.Name == "b4"), "b4");

        Assert.True(compacted > Rv(b1));
        Assert.Equal([RelistReason.Initial, RelistReason.Expired], _sink.Of(SinkCallKind.RelistStarting).Select(c => c.Reason!.Value));
        Assert.Equal(1, reflector.GetRelistCount(RelistReason.Expired));
        Assert.Equal(1, reflector.GetEventCount(UpstreamWatchEventType.Error));
        var relisted = _sink.Of(SinkCallKind.Replace)[1];
        Assert.Equal(["b1", "b2", "b3"], relisted.Items!.Select(o => o.Name));
        Assert.True(relisted.ResourceVersion >= compacted);
        Assert.Equal(["b1", "b2", "b3", "b4"], _sink.State.Values.Select(o => o.Name));
        Assert.True(reflector.LastResourceVersion >= Rv(b4));
        Assert.Contains("410 Expired", reflector.LastError!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CancelledWhileTheWatchIsIdle_CompletesWithoutThrowing()
    {
        var reflector = Start(Fast with { MinWatchTimeout = TimeSpan.FromMinutes(10) });
        await _sink.WaitForAsync(c => c.Any(x => x.Kind == SinkCallKind.Replace), "the initial list");
        await Eventually.TrueAsync(() => reflector.State == ReflectorState.Watching && _handler.Sent.Any(t => t.Contains("watch=true", StringComparison.Ordinal)), () => "the watch");

        await _stop.CancelAsync();
        await _run!.WaitAsync(Deadline);

        Assert.True(_run.IsCompletedSuccessfully);
        Assert.Equal(ReflectorState.Stopped, reflector.State);
        Assert.Null(reflector.LastError);
    }

    [Fact]
    public async Task RunAsync_BudgetExceeded_FailsAndDoesNotRetryUntilTheDelay()
    {
        await _host.CreateConfigMapAsync("team-a", "big");
        _sink.Fault = call => call.Kind == SinkCallKind.Replace ? new CacheBudgetExceededException("configmaps", 1000, 5000) : null;
        var reflector = Start(Fast with { BudgetRetryDelay = TimeSpan.FromMinutes(10) });

        await Eventually.TrueAsync(() => reflector.State == ReflectorState.Failed, () => $"Failed (state {reflector.State})");

        Assert.Contains("budget of 1000 bytes", reflector.LastError!.Message, StringComparison.Ordinal);
        Assert.Single(_sink.Of(SinkCallKind.Replace));
        Assert.Equal(1, reflector.GetRelistCount(RelistReason.Initial));
        Assert.DoesNotContain(_handler.Sent, t => t.Contains("watch=true", StringComparison.Ordinal));
        var retryIn = reflector.RetryAt!.Value - reflector.LastError.Time;
        Assert.InRange(retryIn, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(11));

        // Shutdown is prompt in the failed state too.
        await _stop.CancelAsync();
        await _run!.WaitAsync(Deadline);
        Assert.Equal(ReflectorState.Stopped, reflector.State);
    }

    [Fact]
    public async Task RunAsync_BudgetExceededOnce_ListsAfreshAfterTheDelay()
    {
        await _host.CreateConfigMapAsync("team-a", "c1");
        var failures = 0;
        _sink.Fault = call => call.Kind == SinkCallKind.Replace && Interlocked.Increment(ref failures) == 1
            ? new CacheBudgetExceededException("configmaps", 1000, 5000)
            : null;
        var reflector = Start(Fast with { BudgetRetryDelay = TimeSpan.FromMilliseconds(200) });

        await _sink.WaitForAsync(c => c.Count(x => x.Kind == SinkCallKind.Replace) == 2, "the second list");
        await Eventually.TrueAsync(() => reflector.State == ReflectorState.Watching, () => $"Watching (state {reflector.State})");

        Assert.Equal([RelistReason.Initial, RelistReason.Initial], _sink.Of(SinkCallKind.RelistStarting).Select(c => c.Reason!.Value));
        Assert.Equal(["c1"], _sink.State.Values.Select(o => o.Name));
        Assert.Null(reflector.RetryAt);
    }

    private Reflector Start(ReflectorSettings settings, string collection = ConfigMaps, string resource = "configmaps")
    {
        var endpoints = TestEndpoints.For(_host.Address, _handler);
        var client = new ListWatchClient(endpoints, collection, TimeProvider.System, settings.MaxMessageBytes);
        var reflector = new Reflector(resource, client, new TestObjectDecoder(), _sink, settings, TimeProvider.System);
        _run = Task.Run(async () =>
        {
            try
            {
                await reflector.RunAsync(_stop.Token);
            }
            finally
            {
                endpoints.Dispose();
            }
        });
        return reflector;
    }

    private static long Rv(JsonNode node) => long.Parse(node["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
}
