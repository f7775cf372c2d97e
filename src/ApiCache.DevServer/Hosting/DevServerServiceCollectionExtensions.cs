using ApiCache.DevServer.Api;
using ApiCache.DevServer.Configuration;
using ApiCache.DevServer.Objects;
using ApiCache.DevServer.Resources;
using ApiCache.DevServer.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ApiCache.DevServer.Hosting;

/// <summary>Registers the dev API server in an ASP.NET Core host.</summary>
public static class DevServerServiceCollectionExtensions
{
    /// <summary>Adds the dev API server, configured from the <c>DevServer</c> section of <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddDevServer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DevServerOptions>().Bind(configuration.GetSection(DevServerOptions.SectionName));
        return services.AddDevServerCore();
    }

    /// <summary>Adds the dev API server, configured in code.</summary>
    public static IServiceCollection AddDevServer(this IServiceCollection services, Action<DevServerOptions> configure)
    {
        services.AddOptions<DevServerOptions>().Configure(configure);
        return services.AddDevServerCore();
    }

    private static IServiceCollection AddDevServerCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ResourceCatalog(sp.GetRequiredService<IOptions<DevServerOptions>>().Value.ExtraResources));
        services.TryAddSingleton<IRevisionedStore>(sp => DevServerStoreFactory.Create(sp));
        services.TryAddSingleton<ResourceStore>();
        services.TryAddSingleton<ObjectPreparer>();
        services.TryAddSingleton<RevisionGate>();
        services.TryAddSingleton<GetHandler>();
        services.TryAddSingleton<ListHandler>();
        services.TryAddSingleton<WatchHandler>();
        services.TryAddSingleton<CreateHandler>();
        services.TryAddSingleton<UpdateHandler>();
        services.TryAddSingleton<DeleteHandler>();
        services.TryAddSingleton<ResourceApi>();
        services.AddHostedService<DevServerInitializer>();
        return services;
    }
}
