namespace ApiCache.Configuration;

/// <summary>
/// WATCH served from the cache (the <c>ApiCache:Watch</c> section): how often idle watchers get
/// bookmarks, how long a watch lasts when the client names no timeout, and how much a watcher that
/// cannot keep up may hold back before it is closed.
/// </summary>
public sealed class WatchOptions
{
    /// <summary>Serve WATCH of cached resources from the cache (on by default). Off: watches are forwarded to the upstream.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often a watcher that allows bookmarks gets a BOOKMARK with the cache's resource version,
    /// when that version has moved past the last one it was sent. Far more often than the
    /// apiserver's once a minute, so an idle filtered watcher (a kubelet) always resumes inside the
    /// history window instead of getting 410 and re-listing.
    /// </summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A watch without <c>timeoutSeconds</c> ends after a random time between this and twice this,
    /// like the apiserver's <c>--min-request-timeout</c> (1800 s), so reconnects spread out.
    /// </summary>
    public TimeSpan MinRequestTimeout { get; set; } = TimeSpan.FromSeconds(1800);

    /// <summary>The most events queued for one watcher; a full queue means the watcher is not keeping up.</summary>
    public int BufferEvents { get; set; } = 100;

    /// <summary>
    /// How long, in total, the dispatch of one resource may wait for watchers whose queues are full
    /// before closing them (their clients resume from their last resource version). The budget is
    /// shared by all watchers of the resource and refills by this amount every second, so one
    /// stalled client costs fast watchers at most this delay.
    /// </summary>
    public TimeSpan SlowWatcherBudget { get; set; } = TimeSpan.FromMilliseconds(100);
}
