using ApiCache.DevServer.Storage;

namespace ApiCache.Tests.DevServer.Storage;

/// <summary>The store contract, run against <see cref="InMemoryRevisionedStore"/>.</summary>
public sealed class InMemoryRevisionedStoreContractTests : RevisionedStoreContractTests
{
    private protected override Task<IRevisionedStore> CreateStoreAsync() =>
        Task.FromResult<IRevisionedStore>(new InMemoryRevisionedStore(new InMemoryStoreOptions { ProgressInterval = TimeSpan.FromMilliseconds(50) }));
}
