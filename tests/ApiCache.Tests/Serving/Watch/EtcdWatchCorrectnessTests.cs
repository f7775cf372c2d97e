using ApiCache.DevServer.Storage;
using ApiCache.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>The watch correctness runs with the dev server over the shared real etcd (compacted through its API).</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class EtcdWatchCorrectnessTests(EtcdFixture etcd, ITestOutputHelper output) : WatchCorrectnessTests(output)
{
    private protected override string StoreName => "etcd";

    private protected override int Watchers => 30;

    private protected override IRevisionedStore CreateStore() => etcd.CreateStore();
}
