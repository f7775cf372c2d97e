namespace ApiCache.Serving;

/// <summary>
/// A Kubernetes <c>Status</c> failure (kind Status, apiVersion v1, status Failure), as the
/// apiserver answers errors: an HTTP code, a machine-readable reason and a human message.
/// </summary>
internal sealed record StatusError(int Code, string Reason, string Message)
{
    /// <summary><c>details.name</c>: the name of the object the error is about.</summary>
    public string? DetailsName { get; init; }

    /// <summary><c>details.group</c>: the API group of that object.</summary>
    public string? DetailsGroup { get; init; }

    /// <summary><c>details.kind</c>: the kind (or resource) of that object.</summary>
    public string? DetailsKind { get; init; }

    /// <summary><c>details.causes</c>: (reason, message, field) triples.</summary>
    public IReadOnlyList<StatusCause>? Causes { get; init; }

    /// <summary><c>details.retryAfterSeconds</c>, also sent as the <c>Retry-After</c> header.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>
    /// Write <c>"details":{}</c> even when there are no details, as the apiserver's generic server
    /// responses do (404 for an unknown resource); errors built like Go's NewBadRequest omit it.
    /// </summary>
    public bool EmptyDetails { get; init; }

    /// <summary>503 ServiceUnavailable: the upstream could not be reached.</summary>
    public static StatusError ServiceUnavailable(string message) => new(503, "ServiceUnavailable", message);

    /// <summary>504 Timeout: the upstream did not answer in time.</summary>
    public static StatusError Timeout(string message) => new(504, "Timeout", message);

    /// <summary>500 InternalError.</summary>
    public static StatusError Internal(string message) => new(500, "InternalError", message);
}

/// <summary>One entry of <c>details.causes</c>.</summary>
internal sealed record StatusCause(string Reason, string Message, string? Field = null);
