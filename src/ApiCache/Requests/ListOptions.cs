namespace ApiCache.Requests;

/// <summary>
/// The query parameters of a LIST or WATCH (metav1.ListOptions), as received: validated by
/// <see cref="ListOptionsParser"/>, interpreted by whoever serves the request.
/// </summary>
internal sealed record ListOptions
{
    /// <summary><c>resourceVersion</c>; null when absent (empty counts as absent).</summary>
    public string? ResourceVersion { get; init; }

    /// <summary><c>resourceVersionMatch</c>: null, Exact or NotOlderThan.</summary>
    public string? ResourceVersionMatch { get; init; }

    /// <summary><c>limit</c>; 0 when absent, non-positive values mean no limit.</summary>
    public long Limit { get; init; }

    /// <summary><c>continue</c>; null when absent.</summary>
    public string? Continue { get; init; }

    /// <summary><c>labelSelector</c>; empty when absent.</summary>
    public string LabelSelector { get; init; } = "";

    /// <summary><c>fieldSelector</c>; empty when absent.</summary>
    public string FieldSelector { get; init; } = "";

    /// <summary><c>watch</c> (true, 1).</summary>
    public bool Watch { get; init; }

    /// <summary><c>allowWatchBookmarks</c>.</summary>
    public bool AllowWatchBookmarks { get; init; }

    /// <summary><c>timeoutSeconds</c>; null when absent.</summary>
    public long? TimeoutSeconds { get; init; }

    /// <summary><c>sendInitialEvents</c>; null when absent.</summary>
    public bool? SendInitialEvents { get; init; }

    /// <summary>The parsed <see cref="ResourceVersion"/>; null when absent. "0" is 0.</summary>
    public ulong? ResourceVersionNumber { get; init; }

    /// <summary>resourceVersionMatch=Exact.</summary>
    public bool IsExact => ResourceVersionMatch == "Exact";

    /// <summary>
    /// The list must be read at exactly <see cref="ResourceVersionNumber"/>: match Exact, or the
    /// legacy form (a non-zero resourceVersion with a limit and no match).
    /// </summary>
    public bool ReadsExactRevision =>
        IsExact || (ResourceVersionMatch is null && ResourceVersionNumber is > 0 && Limit > 0 && Continue is null);

    /// <summary>A LIST with resourceVersion "0" (not Exact): any recent state, and the apiserver ignores the limit.</summary>
    public bool IsAnyRecent => ResourceVersionNumber == 0 && !IsExact;
}
