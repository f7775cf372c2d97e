using ApiCache.DevServer.Storage;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Api;

/// <summary>
/// A dev server per test with namespaces team-a and team-b, over the store a subclass chooses
/// (null: a fresh in-memory store), so one suite runs against every store.
/// </summary>
public abstract class DevServerTestBase : IAsyncLifetime
{
    private DevServerHost? _host;

    private protected DevServerHost Host => _host!;

    /// <summary>The store under the server; null = the default in-memory store.</summary>
    private protected abstract Task<IRevisionedStore?> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        _host = await DevServerHost.StartAsync(store: await CreateStoreAsync());
        await Host.CreateNamespaceAsync("team-a");
        await Host.CreateNamespaceAsync("team-b");
    }

    public virtual async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
