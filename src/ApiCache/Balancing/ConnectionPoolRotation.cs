namespace ApiCache.Balancing;

/// <summary>
/// Several independent connection pools to one upstream endpoint, taken in turn by successive
/// requests. Each pool is a <see cref="SocketsHttpHandler"/> whose
/// <see cref="SocketsHttpHandler.PooledConnectionLifetime"/> is the configured lifetime plus its own
/// random jitter: <c>SocketsHttpHandler</c> applies one fixed lifetime to all of its connections, so
/// connections opened together would all expire together; with several pools, each drawing its
/// jitter once, their connections age out at different times and are replaced one pool at a time.
/// An expired connection takes no new requests but is not cut: requests on it, watches included,
/// finish undisturbed. Each pool may open several HTTP/2 connections when one is full
/// (<see cref="SocketsHttpHandler.EnableMultipleHttp2Connections"/>). When the upstream address is
/// itself a load balancer (a Service), the new connections land on other apiservers, reshuffling load.
/// </summary>
internal sealed class ConnectionPoolRotation : HttpMessageHandler
{
    private readonly HttpMessageInvoker[] _pools;
    private int _next = -1;

    /// <summary>Takes ownership of <paramref name="pools"/>.</summary>
    public ConnectionPoolRotation(IReadOnlyList<HttpMessageHandler> pools)
    {
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentOutOfRangeException.ThrowIfZero(pools.Count);
        _pools = [.. pools.Select(p => new HttpMessageInvoker(p, disposeHandler: true))];
    }

    /// <summary>How many pools requests rotate over.</summary>
    public int PoolCount => _pools.Length;

    /// <summary>
    /// The lifetime of one pool's connections: <paramref name="lifetime"/> plus a uniform random
    /// share of <paramref name="jitter"/>; <see cref="Timeout.InfiniteTimeSpan"/> when the lifetime is zero (no recycling).
    /// </summary>
    public static TimeSpan JitteredLifetime(TimeSpan lifetime, TimeSpan jitter, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (lifetime <= TimeSpan.Zero)
        {
            return Timeout.InfiniteTimeSpan;
        }

        return jitter <= TimeSpan.Zero ? lifetime : lifetime + (jitter * random.NextDouble());
    }

    /// <inheritdoc/>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var index = (uint)Interlocked.Increment(ref _next) % (uint)_pools.Length;
        return _pools[index].SendAsync(request, cancellationToken);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var pool in _pools)
            {
                pool.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
