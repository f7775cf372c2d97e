namespace ApiCache.Watch;

/// <summary>Why a watch served from the cache ended (the <c>reason</c> label of <c>apicache_watch_closed_total</c>).</summary>
internal enum WatchCloseReason
{
    /// <summary>Its timeout (timeoutSeconds, or the server's randomized default) passed.</summary>
    Timeout,

    /// <summary>The client went away.</summary>
    Client,

    /// <summary>It could not keep up: its queue stayed full beyond the slow-watcher budget.</summary>
    Slow,

    /// <summary>The server is shutting down.</summary>
    Shutdown,

    /// <summary>The history it followed was reset or evicted under it (the client resumes, or re-lists on 410).</summary>
    Overtaken,

    /// <summary>Its resource version was older than the history: answered with a 410 Expired ERROR event.</summary>
    Expired,
}
