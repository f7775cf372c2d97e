namespace ApiCache.Tests.Serving.Watch;

/// <summary>How one watch request of a watcher started.</summary>
internal enum SegmentKind
{
    /// <summary>Without a resourceVersion to resume from (unset, "0" or WatchList): initial ADDED events come first.</summary>
    Fresh,

    /// <summary>From an explicit resourceVersion (a recent one, or the last one the watcher saw): changes only.</summary>
    From,

    /// <summary>After a 410: a LIST through the proxy, then a watch from the list's resourceVersion.</summary>
    Relist,
}
