using ApiCache.Serving;

namespace ApiCache.Informers;

/// <summary>
/// The upstream answered a list or watch with a Kubernetes Status failure: a non-2xx HTTP answer,
/// or an <c>ERROR</c> event inside a watch stream. Carries the code, reason and message so the
/// reflector can tell 410 Expired (re-list) from 429/5xx (back off and retry).
/// </summary>
internal sealed class UpstreamStatusException : Exception
{
    /// <summary>Creates the exception for <paramref name="status"/> met while doing <paramref name="operation"/>.</summary>
    /// <param name="status">The Status (code, reason, message) the upstream sent, or one made up from the HTTP answer.</param>
    /// <param name="operation">What was being done, e.g. <c>watch of /api/v1/pods</c>.</param>
    /// <param name="retryAfter">The upstream's <c>Retry-After</c> (header or details.retryAfterSeconds), when it sent one.</param>
    public UpstreamStatusException(StatusError status, string operation, TimeSpan? retryAfter = null)
        : base($"{operation} answered {status.Code} {status.Reason}: {status.Message}")
    {
        ArgumentNullException.ThrowIfNull(status);
        Status = status;
        RetryAfter = retryAfter;
    }

    public UpstreamStatusException()
        : this(new StatusError(500, "InternalError", "unknown upstream error"), "request")
    {
    }

    public UpstreamStatusException(string message)
        : base(message)
    {
        Status = new StatusError(500, "InternalError", message);
    }

    public UpstreamStatusException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = new StatusError(500, "InternalError", message);
    }

    /// <summary>The Status the upstream answered with.</summary>
    public StatusError Status { get; }

    /// <summary>The HTTP (or Status) code, e.g. 410, 429, 503.</summary>
    public int StatusCode => Status.Code;

    /// <summary>How long the upstream asked us to wait before retrying, when it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// 410 Gone with reason Expired (or Gone, as apiservers before 1.18 said): the requested resource
    /// version or continue token left the upstream's window, so only a fresh list can recover.
    /// </summary>
    public bool IsExpired => Status.Code == 410 || Status.Reason is "Expired" or "Gone";

    /// <summary>
    /// The upstream has not reached the requested resource version yet (504 Timeout, cause
    /// ResourceVersionTooLarge: "Too large resource version: N, current: M"): that apiserver is behind,
    /// the data is not gone, so this never calls for a new list; another apiserver, or a later try, serves it.
    /// </summary>
    public bool IsTooLargeResourceVersion => Status.Message.Contains("Too large resource version", StringComparison.OrdinalIgnoreCase);
}
