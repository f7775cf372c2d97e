using ApiCache.DevServer.Storage;
using ApiCache.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ApiCache.Tests.Serving.Differential;

/// <summary>The differential run with the dev server over the shared real etcd.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class EtcdProxyDifferentialTests(EtcdFixture etcd, ITestOutputHelper output) : ProxyDifferentialTests(output)
{
    private protected override int SampledListCells => 200;

    private protected override int WriteRounds => 5;

    private protected override int WriteBetweenPagesOneIn => 12;

    private protected override IRevisionedStore? CreateStore() => etcd.CreateStore();
}
