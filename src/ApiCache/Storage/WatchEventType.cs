namespace ApiCache.Storage;

/// <summary>The kinds of change a watch cache records (BOOKMARK and ERROR are stream events, not changes).</summary>
internal enum WatchEventType
{
    /// <summary>The object was created (or, after a re-list, appeared).</summary>
    Added,

    /// <summary>The object was updated.</summary>
    Modified,

    /// <summary>The object was deleted (or, after a re-list, disappeared).</summary>
    Deleted,
}
