using ApiCache.DevServer.Api;
using ApiCache.Configuration;
using ApiCache.Consistency;
using ApiCache.DevServer.Configuration;
using ApiCache.DevServer.Embedding;
using ApiCache.DevServer.Objects;
using ApiCache.DevServer.Resources;
using ApiCache.DevServer.Security;
using ApiCache.DevServer.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ApiCache.DevServer.Hosting;

/// <summary>Registers the dev API server in an ASP.NET Core host.</summary>
public static class DevServerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the dev API server, configured from the <c>DevServer</c> section of
    /// <paramref name="configuration"/>; with <c>DevServer:EmbedCache</c>, also ApiCache, configured
    /// from its <c>ApiCache</c> section.
    /// </summary>
    public static IServiceCollection AddDevServer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(DevServerOptions.SectionName);
        services.AddOptions<DevServerOptions>().Bind(section);
        services.AddDevServerCore();
        if (section.GetValue<bool>(nameof(DevServerOptions.EmbedCache)))
        {
            services.AddEmbeddedCache(cache => cache.AddApiCache(configuration.GetSection(ApiCacheOptions.SectionName)));
        }

        return services;
    }

    /// <summary>
    /// Adds the dev API server, configured in code; with <see cref="DevServerOptions.EmbedCache"/>,
    /// also ApiCache with its defaults (configure <see cref="ApiCacheOptions"/> to change them).
    /// <paramref name="configure"/> also runs once here, on a scratch instance, to read that switch.
    /// </summary>
    public static IServiceCollection AddDevServer(this IServiceCollection services, Action<DevServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<DevServerOptions>().Configure(configure);
        services.AddDevServerCore();

        // Whether to embed decides what to register, so it is read now, from the options as configured.
        var probe = new DevServerOptions();
        configure(probe);
        if (probe.EmbedCache)
        {
            services.AddEmbeddedCache(cache => cache.AddApiCache(static _ => { }));
        }

        return services;
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
        services.TryAddSingleton<NodeAuthorizer>();
        services.TryAddSingleton<DevServerAuthorizer>();
        services.TryAddSingleton<DevServerSecurity>();
        services.TryAddSingleton<TokenReviewHandler>();
        services.TryAddSingleton<SelfSubjectReviewHandler>();
        services.TryAddSingleton<SubjectAccessReviewHandler>();
        services.TryAddSingleton<ReviewApi>();
        services.TryAddSingleton<ResourceApi>();
        services.AddHostedService<DevServerInitializer>();
        return services;
    }

    /// <summary>
    /// ApiCache inside the dev server, after the dev server's own services (so the system namespaces
    /// are created before the informers start): added by <paramref name="addApiCache"/>, with the dev
    /// server's API as its in-process upstream, its writes tracked for the exact revision source
    /// (registered after ApiCache's, so it wins), and ApiCache's health endpoints off (the dev server
    /// maps its own, which include the caches' readiness).
    /// </summary>
    private static void AddEmbeddedCache(this IServiceCollection services, Action<IServiceCollection> addApiCache)
    {
        addApiCache(services);
        services.PostConfigure<ApiCacheOptions>(static options => options.ServeHealthEndpoints = false);
        services.AddApiCacheInProcessUpstream(static sp => new InProcessApiHandler(sp.GetRequiredService<ResourceApi>(), sp));
        services.TryAddSingleton<ResourceWriteTracker>();
        services.AddSingleton<IRevisionSource, DevServerRevisionSource>();
    }
}
