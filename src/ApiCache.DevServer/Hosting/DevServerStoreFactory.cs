using ApiCache.DevServer.Configuration;
using ApiCache.DevServer.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiCache.DevServer.Hosting;

/// <summary>Chooses the store from configuration: etcd when an endpoint is set, memory otherwise.</summary>
internal static class DevServerStoreFactory
{
    /// <summary>Creates the configured store.</summary>
    public static IRevisionedStore Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<DevServerOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        if (options.EtcdEndpoint.Length > 0)
        {
            if (!Uri.TryCreate(options.EtcdEndpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                throw new InvalidOperationException($"DevServer:EtcdEndpoint '{options.EtcdEndpoint}' is not an http(s) URL; use e.g. http://127.0.0.1:2379.");
            }

            return new EtcdRevisionedStore(endpoint, options.EtcdKeyPrefix);
        }

        return new InMemoryRevisionedStore(new InMemoryStoreOptions { HistoryWindow = options.HistoryRevisions, TimeProvider = time });
    }
}
