namespace ApiCache.Tests.Serving.Watch;

/// <summary>How a watcher makes its first request.</summary>
internal enum WatcherStart
{
    /// <summary>resourceVersion unset: the current state (consistent) as ADDED events, then changes.</summary>
    Unset,

    /// <summary>resourceVersion "0": any recent state as ADDED events, then changes.</summary>
    Zero,

    /// <summary>resourceVersion "N" with N a recent revision: the changes after N.</summary>
    Recent,

    /// <summary>sendInitialEvents=true (WatchList): ADDED events, the initial-events-end BOOKMARK, then changes.</summary>
    WatchList,
}
