using ApiCache.Storage;

namespace ApiCache.Tests.Balancing.Failover;

/// <summary>Samples a cache's resource version in the background and counts every time it went backwards.</summary>
internal sealed class ResourceVersionMonitor : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _decreases;

    private ResourceVersionMonitor(WatchCache cache) => _sampling = Task.Run(() => SampleAsync(cache));

    /// <summary>How many samples were lower than the one before.</summary>
    public long Decreases => Interlocked.Read(ref _decreases);

    public static ResourceVersionMonitor Start(WatchCache cache) => new(cache);

    public void Dispose()
    {
        _stop.Cancel();
        _sampling.Wait(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private async Task SampleAsync(WatchCache cache)
    {
        var last = cache.ResourceVersion;
        while (!_stop.IsCancellationRequested)
        {
            var now = cache.ResourceVersion;
            if (now < last)
            {
                Interlocked.Increment(ref _decreases);
            }

            last = Math.Max(last, now);
            try
            {
                await Task.Delay(5, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
