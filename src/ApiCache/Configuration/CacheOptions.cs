using ApiCache.Informers;

namespace ApiCache.Configuration;

/// <summary>
/// The watch-fed informer cache: which resources are cached and the limits every resource's cache
/// shares unless it sets its own. Bound from <c>ApiCache:Cache</c>.
/// </summary>
public sealed class CacheOptions
{
    /// <summary>Cache anything at all. Off: ApiCache forwards every request.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The cached resources. Null (not configured) means the defaults: core pods (indexed by
    /// <c>spec.nodeName</c>), nodes, namespaces, services, endpoints, configmaps, secrets,
    /// serviceaccounts and apps deployments. A configured list replaces the defaults.
    /// </summary>
#pragma warning disable CA2227 // Options classes are bound from configuration, which needs a setter.
    public IList<CachedResourceOptions>? Resources { get; set; }
#pragma warning restore CA2227

    /// <summary>How long recent events are kept for watches to resume from (the apiserver keeps about 75 s).</summary>
    public TimeSpan HistoryWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most events kept per resource, whatever their age.</summary>
    public int HistoryMaxEvents { get; set; } = 100_000;

    /// <summary>
    /// The most bytes one resource's cache may hold (objects' JSON plus metadata and index overhead).
    /// Past it the resource stops being cached, loudly, instead of the process running out of memory.
    /// </summary>
    public long MaxBytesPerResource { get; set; } = 8L << 30;

    /// <summary>Page size of the reflector's initial and re-lists (the apiserver's informers use 500).</summary>
    public int ListPageSize { get; set; } = ReflectorSettings.Defaults.PageSize;

    /// <summary>
    /// Upstream watches ask for a random <c>timeoutSeconds</c> between this and twice this, so the
    /// informers' watches do not all restart together. Shorter than client-go's 5 minutes on
    /// purpose: the apiserver sends a bookmark about 2 s before a watch's timeout, so a quiet
    /// resource's cache catches up with the current revision every 15-30 s (consistent reads wait
    /// for that), at the cost of one resumed watch per resource per timeout, never a re-list.
    /// </summary>
    public TimeSpan MinWatchTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>First delay after a failed list or watch; doubled on each further failure.</summary>
    public TimeSpan InitialBackoff { get; set; } = ReflectorSettings.Defaults.InitialBackoff;

    /// <summary>The longest delay between retries.</summary>
    public TimeSpan MaxBackoff { get; set; } = ReflectorSettings.Defaults.MaxBackoff;

    /// <summary>After this long without a failure the backoff starts again from <see cref="InitialBackoff"/>.</summary>
    public TimeSpan BackoffResetAfter { get; set; } = ReflectorSettings.Defaults.BackoffResetAfter;

    /// <summary>After a resource outgrew its byte budget, wait this long before listing it again.</summary>
    public TimeSpan OverBudgetRetryDelay { get; set; } = ReflectorSettings.Defaults.BudgetRetryDelay;
}
