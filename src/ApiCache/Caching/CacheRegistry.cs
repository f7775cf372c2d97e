using System.Collections.Frozen;
using ApiCache.Balancing;
using ApiCache.Configuration;
using ApiCache.Informers;
using ApiCache.Storage;
using ApiCache.Upstream;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiCache.Caching;

/// <summary>
/// The caches of every configured resource, looked up by API group and resource. Built once from
/// <see cref="CacheOptions"/>; started and stopped with the host by <see cref="CacheHostedService"/>.
/// The informers are spread over the upstream apiservers: the resource at position <c>i</c> of
/// <see cref="Resources"/> prefers endpoint <c>i mod N</c> and fails over to the others.
/// </summary>
internal sealed class CacheRegistry : IAsyncDisposable
{
    private readonly FrozenDictionary<(string Group, string Resource), ResourceCache> _byResource;

    /// <summary>Builds the caches the options configure (none when the cache is off).</summary>
    /// <param name="options">The cache options.</param>
    /// <param name="endpoints">The upstream apiservers.</param>
    /// <param name="time">The clock.</param>
    /// <param name="loggerFactory">Where to log.</param>
    /// <param name="availability">The pool's health of each endpoint, which the informers' failover follows; null: every endpoint is always available.</param>
    public CacheRegistry(
        IOptions<ApiCacheOptions> options,
        UpstreamEndpointSet endpoints,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        IEndpointAvailability? availability = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var cache = options.Value.Cache;
        var errors = new List<string>();
        var definitions = cache.Enabled ? CachedResourceResolver.Resolve(cache, errors, options.Value.ConsistentReads.Etcd.KeyPrefix) : [];
        if (errors.Count > 0)
        {
            throw new ApiCacheConfigurationException(string.Join(" ", errors));
        }

        var settings = SettingsFrom(cache);
        var interner = new StringInterner();
        ArgumentNullException.ThrowIfNull(endpoints);
        var health = availability ?? AlwaysAvailable.Instance;
        Resources = [.. definitions.Select((d, i) => new ResourceCache(d, endpoints, health, i, settings, interner, time, loggerFactory))];
        _byResource = Resources.ToFrozenDictionary(r => (r.Definition.Group, r.Definition.Resource));
    }

    /// <summary>Every cached resource, in configuration order.</summary>
    public IReadOnlyList<ResourceCache> Resources { get; }

    /// <summary>The cache of a resource, when it is cached.</summary>
    public bool TryGet(string group, string resource, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ResourceCache? cache) =>
        _byResource.TryGetValue((group, resource), out cache);

    /// <summary>Starts every resource's reflector.</summary>
    public void Start()
    {
        foreach (var resource in Resources)
        {
            resource.Start();
        }
    }

    /// <summary>Stops every reflector and waits for them.</summary>
    public Task StopAsync() => Task.WhenAll(Resources.Select(r => r.StopAsync()));

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var resource in Resources)
        {
            await resource.DisposeAsync();
        }
    }

    /// <summary>The reflector settings the cache options imply.</summary>
    internal static ReflectorSettings SettingsFrom(CacheOptions cache) => new()
    {
        PageSize = cache.ListPageSize,
        MinWatchTimeout = cache.MinWatchTimeout,
        InitialBackoff = cache.InitialBackoff,
        MaxBackoff = cache.MaxBackoff,
        BackoffResetAfter = cache.BackoffResetAfter,
        BudgetRetryDelay = cache.OverBudgetRetryDelay,
    };
}
