namespace ApiCache.Informers;

/// <summary>Why a reflector listed the resource again instead of resuming its watch.</summary>
internal enum RelistReason
{
    /// <summary>The first list after start.</summary>
    Initial,

    /// <summary>The upstream answered 410 Gone / Expired: the watch's resource version left its window.</summary>
    Expired,

    /// <summary>An object or event from the upstream could not be decoded.</summary>
    DecodeError,

    /// <summary>The list itself failed part-way (e.g. an expired continue token) and was started over.</summary>
    ListFailed,
}
