namespace ApiCache.Watch;

/// <summary>How one change reaches one watcher, given what its filter matched before and after (<see cref="WatchFilter.Classify"/>).</summary>
internal enum EventDelivery
{
    /// <summary>Not at all: it matched neither state.</summary>
    None,

    /// <summary>ADDED with the new state: created, or it starts matching.</summary>
    Added,

    /// <summary>MODIFIED with the new state: it matched before and after.</summary>
    Modified,

    /// <summary>DELETED with the event's object: a deletion (the last state, at the deletion's version).</summary>
    Deleted,

    /// <summary>DELETED with the previous state stamped with the event's version: it stops matching.</summary>
    DeletedPrevious,
}
