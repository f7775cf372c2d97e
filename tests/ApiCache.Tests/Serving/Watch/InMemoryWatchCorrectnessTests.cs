using ApiCache.DevServer.Storage;
using Xunit.Abstractions;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>The watch correctness runs with the dev server over its in-memory store (compacted only by the test).</summary>
public sealed class InMemoryWatchCorrectnessTests(ITestOutputHelper output) : WatchCorrectnessTests(output)
{
    private protected override string StoreName => "in-memory";

    private protected override int Watchers => 40;

    private protected override IRevisionedStore CreateStore() =>
        new InMemoryRevisionedStore(new InMemoryStoreOptions { HistoryWindow = 0, ProgressInterval = TimeSpan.FromMilliseconds(100) });

    /// <summary>
    /// The baseline that checks the harness against the dev server itself: watches forwarded
    /// (ApiCache:Watch:Enabled=false). Run over the in-memory store only: over the in-process etcd
    /// store this forwarded run stalls the whole test process for minutes now and then (every
    /// thread-pool thread blocked; see the session notes), which is not the cache's path and is
    /// left to be found.
    /// </summary>
    [Fact]
    public Task WatchStreams_ForwardedToTheDevServer_HarnessAgreesWithTheUpstream() => RunAsync(3003, 0, watchFromCache: false);
}
