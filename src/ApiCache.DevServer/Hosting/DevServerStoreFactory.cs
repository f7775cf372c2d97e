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
            throw new NotSupportedException("etcd store pending");
        }

        _ = time;
        throw new NotSupportedException("memory store pending");
    }
}
