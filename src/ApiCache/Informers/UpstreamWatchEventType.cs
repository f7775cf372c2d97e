namespace ApiCache.Informers;

/// <summary>The event types of an upstream watch stream, as its <c>type</c> field names them.</summary>
internal enum UpstreamWatchEventType
{
    /// <summary><c>ADDED</c>: an object was created (or entered the watch).</summary>
    Added,

    /// <summary><c>MODIFIED</c>: an object was updated.</summary>
    Modified,

    /// <summary><c>DELETED</c>: an object was deleted (its last state, at the delete's resource version).</summary>
    Deleted,

    /// <summary><c>BOOKMARK</c>: an empty object carrying only the resource version the stream has reached.</summary>
    Bookmark,

    /// <summary><c>ERROR</c>: a Status object (e.g. 410 Expired); the stream ends after it.</summary>
    Error,
}
