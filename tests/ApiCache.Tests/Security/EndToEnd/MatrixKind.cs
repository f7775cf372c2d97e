namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>What a matrix request is, which decides what of its answer is compared.</summary>
internal enum MatrixKind
{
    /// <summary>A LIST: the item names (namespace/name, in order).</summary>
    List,

    /// <summary>A GET of one object: its kind, namespace and name.</summary>
    Get,

    /// <summary>A WATCH from resourceVersion 0: the objects of the initial events, up to the initial-events-end bookmark or the end of the stream.</summary>
    Watch,

    /// <summary>A create (POST of a configmap named per call): the status only.</summary>
    Create,

    /// <summary>A non-resource GET (/version, /api): the body.</summary>
    Raw,
}
