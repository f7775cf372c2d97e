namespace ApiCache.Upstream;

/// <summary>
/// Registered by <c>AddApiCacheInProcessUpstream()</c> when ApiCache is embedded in a host that is
/// itself the API server: informers list and watch through <see cref="CreateHandler"/> (which
/// dispatches into the host in-process, no network), and requests the cache does not answer go to
/// the host's own next middleware instead of being forwarded.
/// </summary>
/// <param name="createHandler">Creates the handler that serves the informers' requests in-process.</param>
internal sealed class InProcessUpstream(Func<IServiceProvider, HttpMessageHandler> createHandler)
{
    /// <summary>Creates the handler that serves the informers' requests in-process.</summary>
    public Func<IServiceProvider, HttpMessageHandler> CreateHandler { get; } = createHandler;
}
