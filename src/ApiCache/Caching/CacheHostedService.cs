using Microsoft.Extensions.Hosting;

namespace ApiCache.Caching;

/// <summary>
/// Starts the informers with the host and stops them promptly on shutdown. Start-up does not wait for
/// the caches to fill: until a resource is ready its requests are forwarded (or refused while cold).
/// </summary>
internal sealed class CacheHostedService(CacheRegistry registry) : IHostedService
{
    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        registry.Start();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => registry.StopAsync().WaitAsync(cancellationToken);
}
