namespace ApiCache.Tests.Infrastructure;

/// <summary>The test classes that share one real etcd (<see cref="EtcdFixture"/>): <c>[Collection(EtcdCollectionDefinition.Name)]</c>.</summary>
[CollectionDefinition(Name)]
public sealed class EtcdCollectionDefinition : ICollectionFixture<EtcdFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "etcd";
}
