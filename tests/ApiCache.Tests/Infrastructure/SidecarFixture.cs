namespace ApiCache.Tests.Infrastructure;

/// <summary>
/// One real sidecar process on a loopback port in front of one <see cref="FixtureUpstream"/>, shared by the
/// tests of a class (<c>IClassFixture&lt;SidecarFixture&gt;</c>): starting the process takes about a second.
/// Tests that share it must not depend on request counts; they tell their requests apart by target or User-Agent.
/// The sidecar forwards only (its cache is off): a fixture upstream replays recorded answers and cannot feed watches.
/// It runs in Trusted mode: the recorded answers are the apiserver's, whoever asks.
/// </summary>
public sealed class SidecarFixture : IAsyncLifetime
{
    private FixtureUpstream? _upstream;
    private SidecarProcess? _sidecar;

    internal FixtureUpstream Upstream => _upstream ?? throw new InvalidOperationException("not started");

    internal SidecarProcess Sidecar => _sidecar ?? throw new InvalidOperationException("not started");

    /// <summary>The sidecar's plain-HTTP base address.</summary>
    public Uri Address => Sidecar.Address;

    /// <summary>The sidecar argument that turns its cache off (for tests of forwarding alone).</summary>
    public const string CacheOff = "--ApiCache:Cache:Enabled=false";

    public async Task InitializeAsync()
    {
        _upstream = await FixtureUpstream.StartAsync();
        _sidecar = await SidecarProcess.StartAsync(
            ["--ApiCache:Upstream:Servers:0:Url=" + _upstream.Address, "--Sidecar:Listen=http://127.0.0.1:0", CacheOff, SidecarProcess.TrustedMode]);
    }

    /// <summary>A client for the sidecar that ignores any proxy settings of the environment.</summary>
    public HttpClient CreateClient() =>
        new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };

    public async Task DisposeAsync()
    {
        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }

        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }
    }
}
