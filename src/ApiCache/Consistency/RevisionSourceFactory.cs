using ApiCache.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiCache.Consistency;

/// <summary>Creates the <see cref="IRevisionSource"/> that <c>ApiCache:ConsistentReads:Source</c> names.</summary>
internal static class RevisionSourceFactory
{
    /// <summary>
    /// An <see cref="EtcdRevisionSource"/> when the source is <see cref="RevisionSourceKind.Etcd"/>;
    /// otherwise what <paramref name="fallback"/> resolves (the quorum probe).
    /// </summary>
    public static IRevisionSource Create(IServiceProvider services, Func<IServiceProvider, IRevisionSource> fallback)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(fallback);
        var options = services.GetRequiredService<IOptions<ApiCacheOptions>>().Value.ConsistentReads;
        return options.Source == RevisionSourceKind.Etcd
            ? new EtcdRevisionSource(
                options.Etcd,
                services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<ILogger<EtcdRevisionSource>>())
            : fallback(services);
    }
}
