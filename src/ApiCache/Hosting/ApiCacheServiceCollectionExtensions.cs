using ApiCache.Balancing;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.Consistency;
using ApiCache.Forwarding;
using ApiCache.Metrics;
using ApiCache.Serving;
using ApiCache.Throttling;
using ApiCache.Upstream;
using ApiCache.Watch;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ApiCache's services, as <c>AddReverseProxy()</c> does for YARP.</summary>
public static class ApiCacheServiceCollectionExtensions
{
    /// <summary>
    /// Adds ApiCache with its options bound from <paramref name="configuration"/>: either an
    /// application's configuration root (its <c>ApiCache</c> section is used) or that section itself.
    /// </summary>
    public static IServiceCollection AddApiCache(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(ApiCacheOptions.SectionName);
        var source = section.Exists() ? section : configuration;

        // Reloads of the configuration (appsettings.json edits) reach the throttling rules.
        services.AddSingleton<IOptionsChangeTokenSource<ApiCacheOptions>>(new ConfigurationChangeTokenSource<ApiCacheOptions>(Options.Options.DefaultName, source));
        return services.AddApiCache(options =>
        {
            source.Bind(options);
            ThrottleRuleBinder.Bind(source.GetSection("Throttling:Rules"), options.Throttling);
        });
    }

    /// <summary>Adds ApiCache with options set in code.</summary>
    public static IServiceCollection AddApiCache(this IServiceCollection services, Action<ApiCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ApiCacheOptions>().Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiCacheOptions>, ApiCacheOptionsValidator>());
        services.AddMetrics();
        services.AddHttpForwarder();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ApiCacheMetrics>();
        services.TryAddSingleton<UpstreamEndpointSet>();
        services.TryAddSingleton<UpstreamPool>();
        services.TryAddSingleton<IEndpointAvailability>(static provider => provider.GetRequiredService<UpstreamPool>());
        services.TryAddSingleton<BalancingMetrics>();
        services.TryAddSingleton<ApiCache.Security.UpstreamReviewPoster>();
        services.TryAddSingleton<ApiCache.Security.AuthenticationMetrics>();
        services.TryAddSingleton<ApiCache.Security.ClientCertificateAuthenticator>();
        services.TryAddSingleton<ApiCache.Security.TokenReviewAuthenticator>();
        services.TryAddSingleton<ApiCache.Security.CallerAuthenticationMiddleware>();

        // Authorization: SubjectAccessReviews, their decisions cached; THE access reviewer everything uses.
        services.TryAddSingleton<ApiCache.Security.AuthorizationMetrics>();
        services.TryAddSingleton<ApiCache.Security.SubjectAccessReviewClient>();
        services.TryAddSingleton<ApiCache.Security.IAccessReviewer>(static provider => new ApiCache.Security.CachingAccessReviewer(
            provider.GetRequiredService<ApiCache.Security.SubjectAccessReviewClient>(),
            provider.GetRequiredService<IOptions<ApiCacheOptions>>().Value.Security.Authorization,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ApiCache.Security.AuthorizationMetrics>()));
        services.TryAddSingleton<ApiCache.Security.RequestAuthorizer>();

        services.TryAddSingleton<ClientGoAway>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, UpstreamHealthProber>());
        services.TryAddSingleton<UpstreamForwarder>();
        services.TryAddSingleton<CacheRegistry>();
        services.TryAddSingleton<CacheMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, CacheHostedService>());
        services.TryAddSingleton<QuorumProbeRevisionSource>();
        services.TryAddSingleton(static provider => RevisionSourceFactory.Create(provider, static p => p.GetRequiredService<QuorumProbeRevisionSource>()));
        services.TryAddSingleton<ConsistentReadCoordinator>();
        services.TryAddSingleton<CacheReadMetrics>();
        services.TryAddSingleton<ReadFallback>();
        services.TryAddSingleton<ListResponder>();
        services.TryAddSingleton<GetResponder>();
        services.TryAddSingleton<WatchMetrics>();
        services.TryAddSingleton<WatchHub>();
        services.TryAddSingleton<WatchResponder>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, WatchHostedService>());
        services.TryAddSingleton<CachedReadMiddleware>();
        services.TryAddSingleton<ThrottlingMetrics>();
        services.TryAddSingleton<InflightCounters>();
        services.TryAddSingleton(static provider => new UserAgentTraffic(
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<ApiCacheOptions>>().Value.Throttling.TopUserAgents));
        services.TryAddSingleton<ThrottleRuleStore>();
        services.TryAddSingleton<ThrottleGate>();
        services.TryAddSingleton<ThrottleAdminApi>();
        services.TryAddSingleton<ThrottleConfigurationReloader>();
        services.TryAddSingleton(static provider => new PrometheusTextExporter(
            [ApiCacheMetrics.MeterName],
            provider.GetRequiredService<IOptions<ApiCacheOptions>>().Value.Metrics.MaxSeriesPerInstrument,
            meterScope: provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        return services;
    }
}
