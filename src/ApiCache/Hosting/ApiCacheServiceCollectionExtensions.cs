using ApiCache.Configuration;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ApiCache's services, as <c>AddReverseProxy()</c> does for YARP.</summary>
public static class ApiCacheServiceCollectionExtensions
{
    /// <summary>
    /// Adds ApiCache with its options bound from <paramref name="configuration"/>: either the
    /// <c>ApiCache</c> section of an application's configuration root, or that section itself.
    /// </summary>
    public static IServiceCollection AddApiCache(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(ApiCacheOptions.SectionName);
        var source = section.Exists() ? section : configuration;
        return services.AddApiCache(options => source.Bind(options));
    }

    /// <summary>Adds ApiCache with options set in code.</summary>
    public static IServiceCollection AddApiCache(this IServiceCollection services, Action<ApiCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ApiCacheOptions>().Configure(configure);
        return services;
    }
}
