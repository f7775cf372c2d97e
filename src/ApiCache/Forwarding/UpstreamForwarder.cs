using ApiCache.Balancing;
using ApiCache.Configuration;
using ApiCache.Metrics;
using ApiCache.Requests;
using ApiCache.Serving;
using ApiCache.Upstream;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace ApiCache.Forwarding;

/// <summary>
/// Forwards a request to an upstream apiserver with YARP's <see cref="IHttpForwarder"/>: bodies
/// and responses stream both ways (watch events and <c>follow=true</c> logs are flushed as they
/// arrive), HTTP/1.1 upgrades (WebSocket, SPDY) are tunnelled, and a client that goes away cancels
/// the upstream request. Failures inside the proxy answer with a Kubernetes <c>Status</c>.
/// Long-running requests (watches, logs, exec, ...) are ended as soon as the host starts to stop,
/// so shutdown does not wait for clients that would otherwise never finish; they reconnect.
/// The endpoint comes from the <see cref="UpstreamPool"/>, which hears how each attempt went. An
/// idempotent request without a body (GET, HEAD, OPTIONS; no upgrade) is retried once on another
/// available endpoint when the first refused it with 429 or could not be reached; nothing has reached
/// the client then. Anything else (a mutation, a request with a body, a response already started,
/// a watch that streamed) is never retried.
/// </summary>
internal sealed partial class UpstreamForwarder
{
    private readonly IHttpForwarder _forwarder;
    private readonly UpstreamPool _pool;
    private readonly BalancingMetrics _balancingMetrics;
    private readonly ApiCacheMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<UpstreamForwarder> _logger;
    private readonly ForwarderRequestConfig _requestConfig;
    private readonly ForwardingTransformer _transformer;
    private readonly bool _authenticate;
    private readonly CancellationToken _stopping;

    public UpstreamForwarder(
        IHttpForwarder forwarder,
        UpstreamPool pool,
        BalancingMetrics balancingMetrics,
        ApiCacheMetrics metrics,
        TimeProvider time,
        IOptions<ApiCacheOptions> options,
        IHostApplicationLifetime lifetime,
        ILogger<UpstreamForwarder> logger)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        _stopping = lifetime.ApplicationStopping;
        ArgumentNullException.ThrowIfNull(options);
        _forwarder = forwarder;
        _pool = pool;
        _balancingMetrics = balancingMetrics;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _transformer = new ForwardingTransformer(options.Value.Security);
        _authenticate = options.Value.Security.Mode == SecurityMode.Authenticate;
        _requestConfig = new ForwarderRequestConfig
        {
            ActivityTimeout = options.Value.Forwarding.ActivityTimeout,
            AllowResponseBuffering = false,
        };
    }

    /// <summary>Forwards <paramref name="context"/>'s request and copies the answer back.</summary>
    public async Task ForwardAsync(HttpContext context)
    {
        if (_authenticate && Security.CallerFeature.Get(context) is null)
        {
            // Never forward with ApiCache's own identity for a caller nobody authenticated (a host
            // that bypassed the authentication middleware): fail closed.
            LogUnauthenticated(_logger, context.Request.Method, context.Request.Path);
            await CacheAnswer.WriteErrorAsync(context, StatusError.Unauthorized());
            return;
        }

        var info = RequestInfoFeature.Get(context);
        var feature = new ForwardingFeature(info, _metrics, _time);
        context.Features.Set(feature);
        var retrySafe = _pool.RetriesEnabled && IsRetrySafe(context);
        var endpoint = _pool.Choose();
        using var endAtShutdown = LongRunningRequest.Is(info)
            ? _stopping.UnsafeRegister(static state => ((HttpContext)state!).Abort(), context)
            : default;

        // At most two attempts: only the first may be retried.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var mayRetry = retrySafe && attempt == 0 && _pool.HasAlternative(endpoint);
            feature.StartAttempt(endpoint, mayRetry);
            _pool.RequestStarted(endpoint);
            _metrics.Inflight(info, endpoint.Name, 1);
            ForwarderError error;
            try
            {
                error = await _forwarder.SendAsync(context, endpoint.DestinationPrefix, endpoint.ForwardingInvoker, _requestConfig, _transformer);
            }
            finally
            {
                _pool.RequestEnded(endpoint);
                _metrics.Inflight(info, endpoint.Name, -1);
            }

            if (feature.Refused)
            {
                // The 429 was dropped unseen by the client (YARP set only the status line, no headers, no
                // body): undo the status, cool the endpoint down and go elsewhere.
                ResetStatus(context);
                _pool.ReportFailure(endpoint, 429, feature.RetryAfter);
                _metrics.RequestForwarded(info, 429, endpoint.Name);
                _balancingMetrics.Retried(endpoint, BalancingMetrics.RetryReason.TooManyRequests);
                endpoint = _pool.Choose(exclude: endpoint);
                continue;
            }

            if (error is ForwarderError.Request && feature.UpstreamStatus is null && !context.RequestAborted.IsCancellationRequested)
            {
                // No response at all: a connection failure (the client going away is not the endpoint's fault).
                _pool.ReportFailure(endpoint, null, null);
                if (mayRetry && !context.Response.HasStarted)
                {
                    _metrics.RequestForwarded(info, StatusCodes.Status503ServiceUnavailable, endpoint.Name);
                    _balancingMetrics.Retried(endpoint, BalancingMetrics.RetryReason.ConnectionFailure);
                    LogRetried(_logger, context.Request.Method, context.Request.Path, endpoint.Name, context.GetForwarderErrorFeature()?.Exception);

                    context.Features.Set<IForwarderErrorFeature>(null);
                    ResetStatus(context);
                    endpoint = _pool.Choose(exclude: endpoint);
                    continue;
                }
            }
            else if (feature.UpstreamStatus is 429 or >= 500)
            {
                _pool.ReportFailure(endpoint, feature.UpstreamStatus, feature.RetryAfter);
            }

            if (error != ForwarderError.None)
            {
                await HandleErrorAsync(context, endpoint, error);
            }

            _metrics.RequestForwarded(info, context.Response.StatusCode, endpoint.Name);
            return;
        }
    }

    /// <summary>Undoes the status line a failed attempt left on the response (not started), so the next attempt can forward.</summary>
    private static void ResetStatus(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        if (context.Features.Get<IHttpResponseFeature>() is { } response)
        {
            response.ReasonPhrase = null;
        }
    }

    /// <summary>
    /// Whether a refused or unreachable attempt may be sent again: an idempotent method, no request
    /// body (so nothing was consumed) and no protocol upgrade.
    /// </summary>
    private static bool IsRetrySafe(HttpContext context)
    {
        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method))
        {
            return false;
        }

        var features = context.Features;
        return features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false }
            && features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true }
            && features.Get<IHttpExtendedConnectFeature>() is not { IsExtendedConnect: true };
    }

    private async Task HandleErrorAsync(HttpContext context, UpstreamEndpoint endpoint, ForwarderError error)
    {
        var exception = context.GetForwarderErrorFeature()?.Exception;
        _metrics.ForwardingFailed(error.ToString());
        StatusError? status = error switch
        {
            ForwarderError.RequestTimedOut => StatusError.Timeout(
                $"the upstream apiserver {endpoint.Name} did not answer in time"),
            ForwarderError.Request or ForwarderError.RequestCreation or ForwarderError.NoAvailableDestinations => StatusError.ServiceUnavailable(
                $"error trying to reach the upstream apiserver {endpoint.Name}: {exception?.GetBaseException().Message ?? error.ToString()}"),
            ForwarderError.RequestBodyClient => new StatusError(400, "BadRequest", "error reading the request body"),
            _ => null,
        };

        if (status is null || context.RequestAborted.IsCancellationRequested)
        {
            LogForwardingEnded(_logger, context.Request.Method, context.Request.Path, endpoint.Name, error, exception?.Message);
            return;
        }

        LogForwardingFailed(_logger, context.Request.Method, context.Request.Path, endpoint.Name, error, exception);
        if (!context.Response.HasStarted)
        {
            context.Response.Headers.Clear();
            await StatusWriter.WriteAsync(context.Response, status, context.RequestAborted);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Forwarding {Method} {Path} to {Upstream} failed: {Error}")]
    private static partial void LogForwardingFailed(ILogger logger, string method, PathString path, string upstream, ForwarderError error, Exception? exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Forwarding {Method} {Path} to {Upstream} failed before any response; retrying on another endpoint")]
    private static partial void LogRetried(ILogger logger, string method, PathString path, string upstream, Exception? exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "{Method} {Path} reached the forwarder without an authenticated caller (is the authentication middleware bypassed?); answered 401")]
    private static partial void LogUnauthenticated(ILogger logger, string method, PathString path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Forwarded {Method} {Path} to {Upstream} ended early: {Error} ({Reason})")]
    private static partial void LogForwardingEnded(ILogger logger, string method, PathString path, string upstream, ForwarderError error, string? reason);
}
