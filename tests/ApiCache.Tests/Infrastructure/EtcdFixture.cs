using ApiCache.DevServer.Etcd;
using ApiCache.DevServer.Storage;

namespace ApiCache.Tests.Infrastructure;

/// <summary>
/// One real etcd process shared by every test class of the <see cref="EtcdCollectionDefinition"/> (start-up
/// takes a second or two). Tests isolate their keys with <see cref="NewKeyPrefix"/>; revisions and
/// compaction are etcd-wide, so tests must not assume revision numbers (the collection runs its
/// classes one at a time).
/// </summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    private EtcdServer? _server;

    internal EtcdServer Server => _server ?? throw new InvalidOperationException("not started");

    /// <summary>The etcd client URL.</summary>
    public Uri Endpoint => Server.ClientUrl;

    public async Task InitializeAsync() => _server = await EtcdServer.StartAsync();

    /// <summary>A fresh key prefix, e.g. <c>/test-0123...</c>, for one test's keys.</summary>
    public static string NewKeyPrefix() => "/test-" + Guid.NewGuid().ToString("N");

    /// <summary>A client of the shared etcd (dispose it).</summary>
    internal EtcdClient CreateClient() => new(Endpoint);

    /// <summary>A store over the shared etcd under <paramref name="keyPrefix"/> (a fresh prefix when null).</summary>
    internal EtcdRevisionedStore CreateStore(string? keyPrefix = null) => new(Endpoint, keyPrefix ?? NewKeyPrefix());

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
