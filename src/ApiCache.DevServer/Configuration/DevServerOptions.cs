namespace ApiCache.DevServer.Configuration;

/// <summary>
/// Settings of the dev API server (configuration section <c>DevServer</c>).
/// </summary>
public sealed class DevServerOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "DevServer";

    /// <summary>
    /// The etcd endpoint (e.g. <c>http://127.0.0.1:2379</c>) to keep objects in; empty keeps them in
    /// memory (lost on exit).
    /// </summary>
    public string EtcdEndpoint { get; set; } = "";

    /// <summary>A prefix put before every etcd key, so several servers can share one etcd (default none).</summary>
    public string EtcdKeyPrefix { get; set; } = "";

    /// <summary>In-memory store: how many revisions of history to keep before compacting (default 10000).</summary>
    public int HistoryRevisions { get; set; } = 10_000;

    /// <summary>
    /// How often a watch with <c>allowWatchBookmarks=true</c> gets a BOOKMARK (default 1 minute, like
    /// the apiserver; tests set it to a second).
    /// </summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The apiserver's <c>--min-request-timeout</c>: a watch without timeoutSeconds ends after a
    /// random time between this and twice this (default 30 minutes).
    /// </summary>
    public TimeSpan MinRequestTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a read with a resourceVersion newer than the store waits before answering 504 (default 3 s, like the apiserver).</summary>
    public TimeSpan TooLargeResourceVersionWait { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Run ApiCache inside the dev server (default off; <c>DevServer:EmbedCache</c>): its informers
    /// list and watch the dev server's own API in-process, consistent reads learn each resource's
    /// last write from the dev server itself, and the cached resources (the <c>ApiCache</c> section,
    /// its defaults otherwise) are served from the cache. ApiCache's own health endpoints stay off;
    /// the dev server's <c>/readyz</c> then also waits for the caches.
    /// </summary>
    public bool EmbedCache { get; set; }

    /// <summary>The synthetic cluster to create at start (nothing by default).</summary>
    public SeedingOptions Seed { get; set; } = new();

    /// <summary>
    /// Authentication and authorization (<c>DevServer:Security</c>): off unless a policy file is
    /// configured.
    /// </summary>
    public DevServerSecurityOptions Security { get; set; } = new();

    /// <summary>HTTPS and client certificates (<c>DevServer:Tls</c>): plain HTTP unless a certificate and key are configured.</summary>
    public DevServerTlsOptions Tls { get; set; } = new();

    /// <summary>Resources served besides the built-in ones, as generic JSON (like CRDs).</summary>
    public IList<ExtraResourceOptions> ExtraResources { get; } = [];
}
