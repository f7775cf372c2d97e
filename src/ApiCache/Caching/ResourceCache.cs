using ApiCache.Balancing;
using ApiCache.Informers;
using ApiCache.Storage;
using ApiCache.Upstream;
using Microsoft.Extensions.Logging;

namespace ApiCache.Caching;

/// <summary>
/// Everything that caches one resource: its definition, the <see cref="WatchCache"/> that holds it and
/// the <see cref="Informers.Reflector"/> that feeds it from the upstream, through the apiserver its
/// <see cref="Upstream"/> chooser picks. Started and stopped by the <see cref="CacheRegistry"/>.
/// </summary>
internal sealed class ResourceCache : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    /// <summary>Builds the cache of one resource whose informer prefers the first endpoint, with no pool health (tests, single-upstream uses).</summary>
    public ResourceCache(
        CachedResourceDefinition definition,
        UpstreamEndpointSet endpoints,
        ReflectorSettings settings,
        StringInterner interner,
        TimeProvider time,
        ILoggerFactory loggerFactory)
        : this(definition, endpoints, AlwaysAvailable.Instance, 0, settings, interner, time, loggerFactory)
    {
    }

    /// <summary>Builds the cache of one resource; nothing runs until <see cref="Start"/>.</summary>
    /// <param name="definition">The resource.</param>
    /// <param name="endpoints">The upstream apiservers.</param>
    /// <param name="availability">The pool's health of each endpoint.</param>
    /// <param name="index">The resource's position among the cached resources: its informer prefers endpoint <c>index mod N</c>.</param>
    /// <param name="settings">The reflector's settings.</param>
    /// <param name="interner">Shares repeated strings between objects.</param>
    /// <param name="time">The clock.</param>
    /// <param name="loggerFactory">Where to log.</param>
    public ResourceCache(
        CachedResourceDefinition definition,
        UpstreamEndpointSet endpoints,
        IEndpointAvailability availability,
        int index,
        ReflectorSettings settings,
        StringInterner interner,
        TimeProvider time,
        ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Definition = definition;
        Cache = new WatchCache(definition, time, loggerFactory.CreateLogger<WatchCache>());
        Upstream = new InformerEndpointChooser(endpoints.Endpoints, availability, index, definition.DisplayName, loggerFactory.CreateLogger<InformerEndpointChooser>());
        var client = new ListWatchClient(Upstream, definition.CollectionPath, time, settings.MaxMessageBytes);
        var decoder = new ObjectDecoder(definition.Schema, definition.Namespaced, interner);
        Reflector = new Reflector(definition.DisplayName, client, decoder, Cache, settings, time, loggerFactory.CreateLogger<Reflector>());
    }

    /// <summary>The resource.</summary>
    public CachedResourceDefinition Definition { get; }

    /// <summary>The cached state, history and freshness of the resource.</summary>
    public WatchCache Cache { get; }

    /// <summary>Which apiserver the informer lists and watches, and how often it moved to another.</summary>
    public InformerEndpointChooser Upstream { get; }

    /// <summary>The list+watch loop feeding <see cref="Cache"/>.</summary>
    public Reflector Reflector { get; }

    /// <summary>Starts the reflector in the background; the cache becomes ready when its first list is stored.</summary>
    public void Start() => _running = Task.Run(() => Reflector.RunAsync(_stopping.Token));

    /// <summary>Stops the reflector (its in-flight request is cancelled) and waits for it to end.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Cache.Dispose();
        _stopping.Dispose();
    }
}
