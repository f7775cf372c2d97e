namespace ApiCache.Tests.DevServer.Differential;

/// <summary>
/// The two recorded cluster states the read-only fixtures were recorded in, each in its own dev
/// server, seeded once per test class (<c>IClassFixture&lt;FixtureClustersFixture&gt;</c>): the state
/// right after seeding (recorded RV 249) and the state after the recording's first four writes
/// (recorded RV 253). Tests that share them only read.
/// </summary>
public sealed class FixtureClustersFixture : IAsyncLifetime
{
    private FixtureCluster? _seeded;
    private FixtureCluster? _afterWrites;

    /// <summary>The cluster as seeded.</summary>
    internal FixtureCluster Seeded => _seeded ?? throw new InvalidOperationException("not started");

    /// <summary>The cluster as seeded plus the recorded writes.</summary>
    internal FixtureCluster AfterWrites => _afterWrites ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        var seeded = FixtureCluster.StartAsync(withRecordedWrites: false);
        var afterWrites = FixtureCluster.StartAsync(withRecordedWrites: true);
        _seeded = await seeded;
        _afterWrites = await afterWrites;
    }

    public async Task DisposeAsync()
    {
        if (_seeded is not null)
        {
            await _seeded.DisposeAsync();
        }

        if (_afterWrites is not null)
        {
            await _afterWrites.DisposeAsync();
        }
    }
}
