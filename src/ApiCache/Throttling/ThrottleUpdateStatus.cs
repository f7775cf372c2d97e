namespace ApiCache.Throttling;

/// <summary>The outcome of a change to the throttling rules.</summary>
internal enum ThrottleUpdateStatus
{
    /// <summary>The change is in force.</summary>
    Applied,

    /// <summary>The change added a rule that did not exist and is in force.</summary>
    Created,

    /// <summary>The rules asked for are already in force; nothing changed.</summary>
    Unchanged,

    /// <summary>The rules are invalid; the previous ones stay in force.</summary>
    Invalid,

    /// <summary>No rule has the name given.</summary>
    NotFound,

    /// <summary>The caller's expected generation is no longer the current one.</summary>
    Conflict,
}
