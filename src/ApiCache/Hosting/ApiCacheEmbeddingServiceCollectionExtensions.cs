using ApiCache.Upstream;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers what ApiCache needs when it is embedded in a host that is itself the API server (the
/// dev API server, a custom apiserver): the host, not a network upstream, answers the informers.
/// </summary>
public static class ApiCacheEmbeddingServiceCollectionExtensions
{
    /// <summary>
    /// Makes the host the upstream: the informers list and watch through the handler
    /// <paramref name="createHandler"/> makes (once, from the root service provider), which serves
    /// each request inside the host without a network hop, over a single endpoint named
    /// <c>in-process</c>; <c>ApiCache:Upstream</c> is not read, so no upstream needs configuring.
    /// Requests the cache does not answer go to the host's next middleware instead of being
    /// forwarded. Call it besides <c>AddApiCache()</c>, in either order.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="createHandler">
    /// Creates the handler that serves an <see cref="HttpRequestMessage"/> in-process; it must stream
    /// watch responses event by event and end a request when its cancellation token fires. The
    /// handler is disposed with the host.
    /// </param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddApiCacheInProcessUpstream(this IServiceCollection services, Func<IServiceProvider, HttpMessageHandler> createHandler)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(createHandler);
        return services.AddSingleton(new InProcessUpstream(createHandler));
    }
}
