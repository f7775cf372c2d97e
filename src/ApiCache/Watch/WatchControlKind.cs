namespace ApiCache.Watch;

/// <summary>The kinds of <see cref="WatchControl"/>.</summary>
internal enum WatchControlKind
{
    /// <summary>A watcher joins the live feed.</summary>
    Join,

    /// <summary>A watcher ends.</summary>
    Close,

    /// <summary>Every watcher ends (shutdown).</summary>
    CloseAll,
}
