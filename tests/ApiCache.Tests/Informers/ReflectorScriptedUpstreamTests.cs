using System.Globalization;
using ApiCache.Informers;
using ApiCache.Storage;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Informers;

/// <summary>
/// The reflector against a scripted fake apiserver, for what the dev server cannot be made to do:
/// malformed objects, 5xx and 429 answers, 410 on the watch request, expired continue tokens.
/// </summary>
public sealed class ReflectorScriptedUpstreamTests : IDisposable
{
    private const string ConfigMaps = "/api/v1/configmaps";

    private static readonly ReflectorSettings Fast = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(50),
        MinWatchTimeout = TimeSpan.FromSeconds(60),
    };

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly RecordingSink _sink = new();
    private readonly CancellationTokenSource _stop = new();

    public void Dispose() => _stop.Dispose();

    [Fact]
    public async Task RunAsync_MalformedObjectInWatch_RelistsOnceWithDecodeError()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(
            (context, n) => ScriptedUpstream.WriteAsync(context, 200, n == 0
                ? ScriptedUpstream.ListBody(10, null, ScriptedUpstream.Item("a", 10))
                : ScriptedUpstream.ListBody(12, null, ScriptedUpstream.Item("a", 10), ScriptedUpstream.Item("b", 12))),
            async (context, n) =>
            {
                // The first watch sends an object without a name; the second stays quiet.
                await ScriptedUpstream.StartWatchAsync(context, n == 0 ? ScriptedUpstream.Event("ADDED", """{"metadata":{"resourceVersion":"11"}}""") : "");
                await ScriptedUpstream.HoldAsync(context);
            });
        var (reflector, run) = Start(upstream, Fast);

        await _sink.WaitForAsync(c => c.Count(x => x.Kind == SinkCallKind.Replace) == 2, "the re-list");
        await Eventually.TrueAsync(() => upstream.Watches.Count == 2, () => "the second watch");

        Assert.Equal([RelistReason.Initial, RelistReason.DecodeError], _sink.Of(SinkCallKind.RelistStarting).Select(c => c.Reason!.Value));
        Assert.Equal(1, reflector.GetRelistCount(RelistReason.DecodeError));
        Assert.Empty(_sink.Of(SinkCallKind.Apply));
        Assert.Contains("could not be decoded: no metadata.name", reflector.LastError!.Message, StringComparison.Ordinal);
        Assert.Contains("resourceVersion 10", reflector.LastError.Message, StringComparison.Ordinal);
        Assert.Equal(["10", "12"], upstream.Watches.Select(w => ListWatchClientTests.Query(w.Target)["resourceVersion"]));
        Assert.Equal(["a", "b"], _sink.State.Values.Select(o => o.Name));
        await StopAsync(run);
    }

    [Fact]
    public async Task RunAsync_MalformedWatchLine_RelistsWithDecodeError()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(
            (context, n) => ScriptedUpstream.WriteAsync(context, 200, ScriptedUpstream.ListBody(10 + n, null)),
            async (context, n) =>
            {
                await ScriptedUpstream.StartWatchAsync(context, n == 0 ? "<html>proxy error</html>\n" : "");
                await ScriptedUpstream.HoldAsync(context);
            });
        var (reflector, run) = Start(upstream, Fast);

        await _sink.WaitForAsync(c => c.Count(x => x.Kind == SinkCallKind.Replace) == 2, "the re-list");

        Assert.Equal([RelistReason.Initial, RelistReason.DecodeError], _sink.Of(SinkCallKind.RelistStarting).Select(c => c.Reason!.Value));
        Assert.Contains("watch of /api/v1/configmaps: a watch event is not valid JSON", reflector.LastError!.Message, StringComparison.Ordinal);
        await StopAsync(run);
    }

    [Fact]
    public async Task RunAsync_ServerErrorThenTooManyRequests_BacksOffHonoursRetryAfterAndResumesWithoutRelist()
    {
        var time = new FakeClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var upstream = await ScriptedUpstream.StartAsync(
            (context, _) => ScriptedUpstream.WriteAsync(context, 200, ScriptedUpstream.ListBody(10, null, ScriptedUpstream.Item("a", 10))),
            async (context, n) =>
            {
                switch (n)
                {
                    case 0:
                        await ScriptedUpstream.WriteAsync(context, 503, ScriptedUpstream.Status(503, "ServiceUnavailable", "apiserver is shutting down"));
                        break;
                    case 1:
                        await ScriptedUpstream.WriteAsync(context, 429, ScriptedUpstream.Status(429, "TooManyRequests", "too many requests, please try again later", 5), "5");
                        break;
                    case 2:
                        await ScriptedUpstream.StartWatchAsync(context, ScriptedUpstream.Event("ERROR", ScriptedUpstream.Status(500, "InternalError", "etcd leader changed")));
                        break;
                    default:
                        await ScriptedUpstream.StartWatchAsync(context, ScriptedUpstream.Event("ADDED", ScriptedUpstream.Item("b", 11)));
                        await ScriptedUpstream.HoldAsync(context);
                        break;
                }
            });
        var settings = Fast with { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(10), BackoffJitter = 0 };
        var (reflector, run) = Start(upstream, settings, time);

        // 503: the first backoff, 1 s.
        await Eventually.TrueAsync(() => InBackoffAfter(reflector, "503"), () => $"backoff after 503 ({reflector.State}, {reflector.LastError})");
        Assert.Equal(TimeSpan.FromSeconds(1), reflector.RetryAt - time.GetUtcNow());
        time.Advance(TimeSpan.FromSeconds(1));

        // 429 with Retry-After: 5 s, longer than the 2 s backoff.
        await Eventually.TrueAsync(() => InBackoffAfter(reflector, "429"), () => $"backoff after 429 ({reflector.State}, {reflector.LastError})");
        Assert.Equal(TimeSpan.FromSeconds(5), reflector.RetryAt - time.GetUtcNow());
        time.Advance(TimeSpan.FromSeconds(5));

        // An ERROR event with a 500 Status: the third backoff, 4 s.
        await Eventually.TrueAsync(() => InBackoffAfter(reflector, "500 InternalError"), () => $"backoff after the ERROR event ({reflector.State}, {reflector.LastError})");
        Assert.Equal(TimeSpan.FromSeconds(4), reflector.RetryAt - time.GetUtcNow());
        time.Advance(TimeSpan.FromSeconds(4));

        await _sink.WaitForAsync(c => c.Any(x => x.Kind == SinkCallKind.Apply), "b");
        Assert.Equal([RelistReason.Initial], _sink.Of(SinkCallKind.RelistStarting).Select(c => c.Reason!.Value));
        Assert.Single(upstream.Lists);
        Assert.Equal(["10", "10", "10", "10"], upstream.Watches.Select(w => ListWatchClientTests.Query(w.Target)["resourceVersion"]));
        Assert.Equal(3, reflector.WatchRestarts);
        Assert.Equal(1, reflector.GetEventCount(UpstreamWatchEventType.Error));
        Assert.Equal(WatchEventType.Added, _sink.Of(SinkCallKind.Apply).Single().Type);
        Assert.Equal(11, reflector.LastResourceVersion);
        await StopAsync(run);
    }

    [Fact]
    public async Task RunAsync_WatchEndsAtOnceWithoutEvents_BacksOffBeforeRewatching()
    {
        var time = new FakeClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var upstream = await ScriptedUpstream.StartAsync(
            (context, _) => ScriptedUpstream.WriteAsync(context, 200, ScriptedUpstream.ListBody(10, null)),
            (context, _) => ScriptedUpstream.StartWatchAsync(context));
        var (reflector, run) = Start(upstream, Fast with { InitialBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromSeconds(2), BackoffJitter = 0 }, time);

        await Eventually.TrueAsync(() => reflector.State == ReflectorState.Backoff, () => $"backoff ({reflector.State})");

        Assert.Equal(TimeSpan.FromSeconds(2), reflector.RetryAt - time.GetUtcNow());
        Assert.Single(upstream.Watches);
        time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.TrueAsync(() => upstream.Watches.Count == 2, () => "the second watch");
        Assert.Equal([RelistReason.Initial], _sink.Of(SinkCallKind.RelistStarting).Select(c => c.Reason!.Value));
        await StopAsync(run);
    }

    [Fact]
    public async Task RunAsync_ManyWatches_TimeoutSecondsRandomizedWithinMinAndTwiceMin()
    {
        // Every watch sends one bookmark and ends, so the reflector re-watches at once.
        await using var upstream = await ScriptedUpstream.StartAsync(
            (context, _) => ScriptedUpstream.WriteAsync(context, 200, ScriptedUpstream.ListBody(10, null)),
            (context, _) => ScriptedUpstream.StartWatchAsync(context, ScriptedUpstream.Event("BOOKMARK", """{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"10"}}""")));
        var (reflector, run) = Start(upstream, Fast with { MinWatchTimeout = TimeSpan.FromSeconds(10) });

        await Eventually.TrueAsync(() => upstream.Watches.Count >= 30, () => $"30 watches (saw {upstream.Watches.Count})");
        await StopAsync(run);

        var timeouts = upstream.Watches.Select(w => int.Parse(ListWatchClientTests.Query(w.Target)["timeoutSeconds"], CultureInfo.InvariantCulture)).ToList();
        Assert.All(timeouts, t => Assert.InRange(t, 10, 19));
        Assert.True(timeouts.Distinct().Count() > 1, "timeoutSeconds should vary: " + string.Join(",", timeouts));
        Assert.Equal([RelistReason.Initial], _sink.Of(SinkCallKind.RelistStarting).Select(c => c.Reason!.Value));
        Assert.True(reflector.WatchRestarts >= 29);
        Assert.All(upstream.Watches, w => Assert.Equal("true", ListWatchClientTests.Query(w.Target)["allowWatchBookmarks"]));
    }

    [Fact]
    public async Task RunAsync_WatchAnswersHttp410_RelistsWithExpired()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(
            (context, n) => ScriptedUpstream.WriteAsync(context, 200, ScriptedUpstream.ListBody(n == 0 ? 10 : 20, null, ScriptedUpstream.Item("a", 10))),
            async (context, n) =>
            {
                if (n == 0)
                {
                    await ScriptedUpstream.WriteAsync(context, 410, ScriptedUpstream.Status(410, "Gone", "too old resource version: 10 (15)"));
                    return;
                }

                await ScriptedUpstream.StartWatchAsync(context);
                await ScriptedUpstream.HoldAsync(context);
            });
        var (reflector, run) = Start(upstream, Fast);

        await _sink.WaitForAsync(c => c.Count(x => x.Kind == SinkCallKind.Replace) == 2, "the re-list");
        await Eventually.TrueAsync(() => upstream.Watches.Count == 2, () => "the second watch");

        Assert.Equal([RelistReason.Initial, RelistReason.Expired], _sink.Of(SinkCallKind.RelistStarting).Select(c => c.Reason!.Value));
        Assert.Equal([10L, 20L], _sink.Of(SinkCallKind.Replace).Select(r => r.ResourceVersion));
        Assert.Equal("20", ListWatchClientTests.Query(upstream.Watches[1].Target)["resourceVersion"]);
        Assert.Equal(0, reflector.WatchRestarts);
        await StopAsync(run);
    }

    [Fact]
    public async Task RunAsync_ContinueExpiredMidList_RestartsTheListWithListFailed()
    {
        var expired = FixtureUpstream.FixtureText("06-notice-step2-compact_rev_key-updated-continue-410");
        await using var upstream = await ScriptedUpstream.StartAsync(
            (context, n) => n switch
            {
                0 => ScriptedUpstream.WriteAsync(context, 200, ScriptedUpstream.ListBody(10, "tok1", ScriptedUpstream.Item("a", 5), ScriptedUpstream.Item("b", 6))),
                1 => ScriptedUpstream.WriteAsync(context, 410, expired),
                2 => ScriptedUpstream.WriteAsync(context, 200, ScriptedUpstream.ListBody(15, "tok2", ScriptedUpstream.Item("a", 5), ScriptedUpstream.Item("b", 6))),
                _ => ScriptedUpstream.WriteAsync(context, 200, ScriptedUpstream.ListBody(15, null, ScriptedUpstream.Item("c", 14))),
            },
            async (context, _) =>
            {
                await ScriptedUpstream.StartWatchAsync(context);
                await ScriptedUpstream.HoldAsync(context);
            });
        var (reflector, run) = Start(upstream, Fast with { PageSize = 2 });

        await _sink.WaitForAsync(c => c.Any(x => x.Kind == SinkCallKind.Replace), "the list");
        await Eventually.TrueAsync(() => upstream.Watches.Count == 1, () => "the watch");

        Assert.Equal([RelistReason.Initial, RelistReason.ListFailed], _sink.Of(SinkCallKind.RelistStarting).Select(c => c.Reason!.Value));
        var replace = Assert.Single(_sink.Of(SinkCallKind.Replace));
        Assert.Equal(["a", "b", "c"], replace.Items!.Select(o => o.Name));
        Assert.Equal(15, replace.ResourceVersion);
        Assert.Equal(
            [ConfigMaps + "?limit=2", ConfigMaps + "?limit=2&continue=tok1", ConfigMaps + "?limit=2", ConfigMaps + "?limit=2&continue=tok2"],
            upstream.Lists.Select(r => r.Target));
        Assert.Equal(1, reflector.GetRelistCount(RelistReason.ListFailed));
        Assert.StartsWith("list of /api/v1/configmaps answered 410 Expired: The provided continue parameter is too old", reflector.LastError!.Message, StringComparison.Ordinal);
        await StopAsync(run);
    }

    [Fact]
    public async Task RunAsync_ListServerError_RetriesTheListAfterBackoff()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(
            (context, n) => n == 0
                ? ScriptedUpstream.WriteAsync(context, 500, ScriptedUpstream.Status(500, "InternalError", "boom"))
                : ScriptedUpstream.WriteAsync(context, 200, ScriptedUpstream.ListBody(7, null, ScriptedUpstream.Item("a", 7))),
            async (context, _) =>
            {
                await ScriptedUpstream.StartWatchAsync(context);
                await ScriptedUpstream.HoldAsync(context);
            });
        var (reflector, run) = Start(upstream, Fast);

        await _sink.WaitForAsync(c => c.Any(x => x.Kind == SinkCallKind.Replace), "the list");

        Assert.Equal([RelistReason.Initial, RelistReason.ListFailed], _sink.Of(SinkCallKind.RelistStarting).Select(c => c.Reason!.Value));
        Assert.Equal(2, upstream.Lists.Count);
        Assert.Equal(7, _sink.Of(SinkCallKind.Replace).Single().ResourceVersion);
        Assert.Contains("500 InternalError: boom", reflector.LastError!.Message, StringComparison.Ordinal);
        await StopAsync(run);
    }

    private static bool InBackoffAfter(Reflector reflector, string error) =>
        reflector.State == ReflectorState.Backoff && reflector.LastError?.Message.Contains(error, StringComparison.Ordinal) == true;

    private (Reflector Reflector, Task Run) Start(ScriptedUpstream upstream, ReflectorSettings settings, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var endpoints = TestEndpoints.For(upstream.Address);
        var client = new ListWatchClient(endpoints, ConfigMaps, time);
        var reflector = new Reflector("configmaps", client, new TestObjectDecoder(), _sink, settings, time);
        var run = Task.Run(async () =>
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
        return (reflector, run);
    }

    private async Task StopAsync(Task run)
    {
        await _stop.CancelAsync();
        await run.WaitAsync(Deadline);
        Assert.True(run.IsCompletedSuccessfully);
    }
}
