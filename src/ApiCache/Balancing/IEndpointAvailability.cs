using ApiCache.Upstream;

namespace ApiCache.Balancing;

/// <summary>
/// What the upstream pool knows about each apiserver's health, as the informers see it: whether an
/// endpoint may take new work now, and a way to report a failure seen outside forwarding (a list or
/// watch that failed). The pool implements it; informers choose where to list and watch with it.
/// </summary>
internal interface IEndpointAvailability
{
    /// <summary>True when <paramref name="endpoint"/> may take new work (healthy and not cooling down after a 429).</summary>
    bool IsAvailable(UpstreamEndpoint endpoint);

    /// <summary>
    /// Reports a failed exchange with <paramref name="endpoint"/>: a connection failure
    /// (<paramref name="statusCode"/> null) or an HTTP status (5xx, 429 with <paramref name="retryAfter"/>).
    /// </summary>
    void ReportFailure(UpstreamEndpoint endpoint, int? statusCode, TimeSpan? retryAfter);
}
