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
}
