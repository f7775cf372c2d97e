using ApiCache.Informers;
using ApiCache.Tests.Informers;
using ApiCache.Upstream;

namespace ApiCache.Tests.Balancing.Failover;

/// <summary>
/// "Too large resource version" from an apiserver that fell behind the cache, on scripted upstreams:
/// never a re-list, never a failure reported to the pool; the watch resumes from the same resource
/// version on an apiserver whose catch-up check passed.
/// </summary>
public sealed class ReflectorTooLargeResourceVersionTests
{
    private const string ConfigMaps = "/api/v1/configmaps";
    private const string TooLarge = "Timeout: Too large resource version: 10, current: 9";

    private static readonly ReflectorSettings Fast = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(50),
        MinWatchTimeout = TimeSpan.FromSeconds(60),
    };

    [Fact]
    public async Task RunAsync_WatchErrorTooLargeResourceVersion_ResumesOnAnotherServerFromTheSameVersionWithoutRelist()
    {
        // a: lists at 10, then its watch says it is behind, and so do its catch-up checks.
        await using var a = await ScriptedUpstream.StartAsync(
            (context, n) => n == 0
                ? ScriptedUpstream.WriteAsync(context, 200, ScriptedUpstream.ListBody(10, null, ScriptedUpstream.Item("a", 10)))
                : ScriptedUpstream.WriteAsync(context, 504, ScriptedUpstream.Status(504, "Timeout", TooLarge, 1), "1"),
            async (context, n) =>
            {
                await ScriptedUpstream.StartWatchAsync(context, n == 0 ? ScriptedUpstream.Event("ERROR", ScriptedUpstream.Status(504, "Timeout", TooLarge)) : "");
                await ScriptedUpstream.HoldAsync(context);
            });

        // b: has reached 12; its watch from 10 sends the change at 11.
        await using var b = await ScriptedUpstream.StartAsync(
            (context, _) => ScriptedUpstream.WriteAsync(context, 200, ScriptedUpstream.ListBody(12, null)),
            async (context, _) =>
            {
                await ScriptedUpstream.StartWatchAsync(context, ScriptedUpstream.Event("ADDED", ScriptedUpstream.Item("b", 11)));
                await ScriptedUpstream.HoldAsync(context);
            });

        UpstreamEndpoint[] endpoints = [Endpoint(a.Address, "a"), Endpoint(b.Address, "b")];
        var availability = new RecordingAvailability();
        var chooser = new InformerEndpointChooser(endpoints, availability, 0, "configmaps");
        var sink = new RecordingSink();
        var reflector = new Reflector("configmaps", new ListWatchClient(chooser, ConfigMaps, TimeProvider.System), new TestObjectDecoder(), sink, Fast, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => reflector.RunAsync(stop.Token));
        try
        {
            await sink.WaitForAsync(c => c.Any(x => x.Kind == SinkCallKind.Apply), "the change at 11 from b");

            Assert.Equal([RelistReason.Initial], sink.Of(SinkCallKind.RelistStarting).Select(c => c.Reason!.Value));
            Assert.Single(a.Watches);
            Assert.Equal("10", ListWatchClientTests.Query(b.Watches.Single().Target)["resourceVersion"]);
            var check = ListWatchClientTests.Query(b.Lists.Single().Target);
            Assert.Equal(("1", "10", "NotOlderThan"), (check["limit"], check["resourceVersion"], check["resourceVersionMatch"]));
            Assert.Equal(["b"], sink.State.Values.Where(o => o.Name == "b").Select(o => o.Name));
            Assert.Same(endpoints[1], chooser.Current);
            Assert.Equal(1, chooser.Switches);
            Assert.Empty(availability.Failures);
            Assert.Equal(11, reflector.LastResourceVersion);
        }
        finally
        {
            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(30));
            foreach (var endpoint in endpoints)
            {
                endpoint.Dispose();
            }
        }
    }

    private static UpstreamEndpoint Endpoint(Uri address, string name) =>
        new(new UpstreamServerSettings { Url = address, Source = "test" }, new HttpMessageInvoker(new SocketsHttpHandler(), disposeHandler: true), name);
}
