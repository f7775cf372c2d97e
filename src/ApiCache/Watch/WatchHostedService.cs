using Microsoft.Extensions.Hosting;

namespace ApiCache.Watch;

/// <summary>
/// Ties cache-served watches to the host's lifetime: as soon as the host starts stopping (before the
/// server waits for open requests to finish), every watcher gets its last bookmark and its stream
/// ends, so shutdown is clean and quick.
/// </summary>
internal sealed class WatchHostedService(WatchHub hub, IHostApplicationLifetime lifetime) : IHostedService
{
    private CancellationTokenRegistration _registration;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = lifetime.ApplicationStopping.Register(hub.Shutdown);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        hub.Shutdown();
        _registration.Dispose();
        return Task.CompletedTask;
    }
}
