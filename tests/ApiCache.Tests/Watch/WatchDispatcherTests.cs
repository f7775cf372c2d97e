using System.Text;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.Informers;
using ApiCache.Metrics;
using ApiCache.Storage;
using ApiCache.Upstream;
using ApiCache.Watch;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ApiCache.Tests.Watch;

/// <summary>
/// <see cref="WatchDispatcher"/> over a real <see cref="WatchCache"/> fed as the reflector feeds it:
/// joining from a history position, filtering by trigger, closing slow watchers while fast ones get
/// everything, bookmarks that never go backwards, and ending everyone when the history is reset.
/// Waits are bounded failure guards only.
/// </summary>
public sealed class WatchDispatcherTests : IAsyncDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);
    private static readonly ListTypeInfo PodList = new("PodList", "v1", false);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ResourceCache _resource;
    private readonly WatchDispatcher _dispatcher;

    public WatchDispatcherTests()
    {
        var endpoints = new UpstreamEndpointSet([new UpstreamEndpoint(new UpstreamServerSettings { Url = new Uri("http://127.0.0.1:1/"), Source = "test" }, new HttpMessageInvoker(new HttpClientHandler()))]);
        _resource = new ResourceCache(WatchTestPods.Definition(historyMaxEvents: 50, maxBytes: 64 * 1024), endpoints, ReflectorSettings.Defaults, new StringInterner(), TimeProvider.System, NullLoggerFactory.Instance);
        var options = new WatchOptions { BookmarkInterval = TimeSpan.FromMilliseconds(100), SlowWatcherBudget = TimeSpan.FromMilliseconds(50), BufferEvents = 4 };
        _dispatcher = new WatchDispatcher(_resource, options, new WatchMetrics(new ApiCacheMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>())), TimeProvider.System, NullLogger.Instance);
        Sink.Replace([WatchTestPods.Pod("a", 2, node: "n1"), WatchTestPods.Pod("b", 3, node: "n2")], 10, PodList);
        _dispatcher.EnsureStarted();
    }

    private IReflectorSink Sink => _resource.Cache;

    public async ValueTask DisposeAsync()
    {
        await _dispatcher.DisposeAsync();
        await _resource.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task JoinAsync_FromAnOlderPosition_GetsEveryMissedEventOnceThenLiveOnesFilteredByNode()
    {
        var start = _resource.Cache.Position;
        Sink.Apply(WatchEventType.Modified, WatchTestPods.Pod("a", 11, node: "n1", app: "x"));
        Sink.Apply(WatchEventType.Modified, WatchTestPods.Pod("b", 12, node: "n2", app: "x"));
        using var n1 = new Watcher(WatchFilterTests.Filter(null, "", "spec.nodeName=n1"), allowBookmarks: false, start.ResourceVersion, 100);

        Assert.True(await _dispatcher.JoinAsync(n1, start).WaitAsync(Guard));
        Sink.Apply(WatchEventType.Modified, WatchTestPods.Pod("b", 13, node: "n1")); // moves onto n1: ADDED
        Sink.Apply(WatchEventType.Modified, WatchTestPods.Pod("a", 14, node: "n3")); // moves away: DELETED (old state, new RV)

        var frames = await ReadAsync(n1, 3);
        Assert.Equal(["MODIFIED a 11", "ADDED b 13", "DELETED a 14"], frames.Select(Describe));
        Assert.Contains("\"nodeName\":\"n1\"", frames[2], StringComparison.Ordinal); // the state it was seen in
    }

    [Fact]
    public async Task Dispatch_SlowWatcher_IsClosedAfterTheBudgetWhileAFastOneGetsEverything()
    {
        var position = _resource.Cache.Position;
        using var slow = new Watcher(WatchFilterTests.Filter(null, "", ""), false, position.ResourceVersion, 4);
        using var fast = new Watcher(WatchFilterTests.Filter(null, "", ""), false, position.ResourceVersion, 100); // room for the whole burst
        Assert.True(await _dispatcher.JoinAsync(slow, position).WaitAsync(Guard));
        Assert.True(await _dispatcher.JoinAsync(fast, position).WaitAsync(Guard));
        var received = new List<string>();
        var reader = Task.Run(async () =>
        {
            await foreach (var frame in fast.Queue.Reader.ReadAllAsync())
            {
                received.Add(Describe(Encoding.UTF8.GetString(frame)));
                if (received.Count == 20)
                {
                    return;
                }
            }
        });

        for (var i = 0; i < 20; i++)
        {
            Sink.Apply(WatchEventType.Modified, WatchTestPods.Pod("a", 11 + i, node: "n1"));
        }

        await reader.WaitAsync(Guard);
        Assert.Equal(Enumerable.Range(11, 20).Select(rv => $"MODIFIED a {rv}"), received);
        await WaitUntilAsync(() => slow.ClosedBecause is not null);
        Assert.Equal(WatchCloseReason.Slow, slow.ClosedBecause);
        Assert.True(slow.Abandoned.IsCancellationRequested);
        Assert.Null(fast.ClosedBecause);
        Assert.Equal(1, _dispatcher.WatcherCount);
    }

    [Fact]
    public async Task Bookmarks_IdleTriggerWatcher_GetsTheAdvancingVersionNeverBackwards()
    {
        var position = _resource.Cache.Position;
        using var idle = new Watcher(WatchFilterTests.Filter(null, "", "spec.nodeName=empty-node"), allowBookmarks: true, position.ResourceVersion, 100);
        Assert.True(await _dispatcher.JoinAsync(idle, position).WaitAsync(Guard));

        Sink.Apply(WatchEventType.Modified, WatchTestPods.Pod("a", 11, node: "n1"));
        var first = Describe((await ReadAsync(idle, 1))[0]);
        Sink.Progress(20);
        var second = Describe((await ReadAsync(idle, 1))[0]);

        Assert.Equal("BOOKMARK 11", first);
        Assert.Equal("BOOKMARK 20", second);
        Assert.False(idle.Queue.Reader.TryRead(out _)); // nothing newer: no repeat
    }

    [Fact]
    public async Task CloseAll_Shutdown_SendsALastBookmarkAndCompletesEveryQueue()
    {
        var position = _resource.Cache.Position;
        using var withBookmarks = new Watcher(WatchFilterTests.Filter("ns", "", ""), allowBookmarks: true, position.ResourceVersion, 100);
        using var without = new Watcher(WatchFilterTests.Filter("ns", "", ""), allowBookmarks: false, position.ResourceVersion, 100);
        Assert.True(await _dispatcher.JoinAsync(withBookmarks, position).WaitAsync(Guard));
        Assert.True(await _dispatcher.JoinAsync(without, position).WaitAsync(Guard));

        _dispatcher.CloseAll(WatchCloseReason.Shutdown);

        Assert.Equal(["BOOKMARK 10"], (await ReadAllAsync(withBookmarks)).Select(Describe));
        Assert.Empty(await ReadAllAsync(without));
        Assert.Equal(WatchCloseReason.Shutdown, withBookmarks.ClosedBecause);
    }

    [Fact]
    public async Task HistoryReset_OverBudget_ClosesWatchersAsOvertakenAndRefusesOldPositions()
    {
        var position = _resource.Cache.Position;
        using var watcher = new Watcher(WatchFilterTests.Filter(null, "", ""), false, position.ResourceVersion, 100);
        Assert.True(await _dispatcher.JoinAsync(watcher, position).WaitAsync(Guard));

        Assert.Throws<CacheBudgetExceededException>(() => Sink.Apply(WatchEventType.Added, WatchTestPods.Decode(WatchTestPods.Json("big", 11).Replace("nginx", new string('x', 70 * 1024), StringComparison.Ordinal))));

        await WaitUntilAsync(() => watcher.ClosedBecause is not null);
        Assert.Equal(WatchCloseReason.Overtaken, watcher.ClosedBecause);
        using var late = new Watcher(WatchFilterTests.Filter(null, "", ""), false, position.ResourceVersion, 100);
        Assert.False(await _dispatcher.JoinAsync(late, position).WaitAsync(Guard));
    }

    private static async Task<string[]> ReadAsync(Watcher watcher, int count)
    {
        var frames = new List<string>();
        using var guard = new CancellationTokenSource(Guard);
        while (frames.Count < count)
        {
            frames.Add(Encoding.UTF8.GetString(await watcher.Queue.Reader.ReadAsync(guard.Token)));
        }

        return [.. frames];
    }

    private static async Task<string[]> ReadAllAsync(Watcher watcher)
    {
        var frames = new List<string>();
        using var guard = new CancellationTokenSource(Guard);
        await foreach (var frame in watcher.Queue.Reader.ReadAllAsync(guard.Token))
        {
            frames.Add(Encoding.UTF8.GetString(frame));
        }

        return [.. frames];
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!condition())
        {
            await Task.Delay(10, guard.Token);
        }
    }

    /// <summary>"TYPE name rv" of an event frame, "BOOKMARK rv" of a bookmark.</summary>
    private static string Describe(string frame)
    {
        using var json = System.Text.Json.JsonDocument.Parse(frame);
        var type = json.RootElement.GetProperty("type").GetString();
        var metadata = json.RootElement.GetProperty("object").GetProperty("metadata");
        var rv = metadata.GetProperty("resourceVersion").GetString();
        return type == "BOOKMARK" ? $"BOOKMARK {rv}" : $"{type} {metadata.GetProperty("name").GetString()} {rv}";
    }
}
