using ApiCache.DevServer.Storage;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Storage;

/// <summary>The store contract, run against <see cref="EtcdRevisionedStore"/> on a real etcd process.</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class EtcdRevisionedStoreContractTests(EtcdFixture etcd) : RevisionedStoreContractTests
{
    private protected override Task<IRevisionedStore> CreateStoreAsync() => Task.FromResult<IRevisionedStore>(etcd.CreateStore());
}
