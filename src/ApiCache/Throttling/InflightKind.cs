namespace ApiCache.Throttling;

/// <summary>How a request counts against the in-flight limits, as the apiserver's max-inflight filter counts it.</summary>
internal enum InflightKind
{
    /// <summary>get and list, and non-resource GETs: limited by <c>MaxReadsInFlight</c>.</summary>
    Read,

    /// <summary>create, update, patch, delete, deletecollection (and non-resource requests other than GET): limited by <c>MaxMutationsInFlight</c>.</summary>
    Mutation,

    /// <summary>watch, proxy, and the attach/exec/log/portforward/proxy subresources: never limited, only counted.</summary>
    LongRunning,
}
