namespace ApiCache.Tests.DevServer.Security;

/// <summary>One secured dev server with the recorded cluster seeded, shared by a test class.</summary>
public sealed class SecureClusterFixture : IAsyncLifetime
{
    private SecureDevServer? _server;

    internal SecureDevServer Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await SecureDevServer.StartAsync();
        await _server.SeedFixtureClusterAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
