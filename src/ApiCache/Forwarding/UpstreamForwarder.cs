using ApiCache.Configuration;
using ApiCache.Metrics;
using ApiCache.Requests;
using ApiCache.Serving;
using ApiCache.Upstream;
using Microsoft.AspNetCore.Http;
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
/// </summary>
internal sealed partial class UpstreamForwarder
{
    private readonly IHttpForwarder _forwarder;
    private readonly UpstreamEndpointSet _endpoints;
    private readonly ApiCacheMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<UpstreamForwarder> _logger;
    private readonly ForwarderRequestConfig _requestConfig;
    private readonly ForwardingTransformer _transformer = new();
    private readonly CancellationToken _stopping;

    public UpstreamForwarder(
        IHttpForwarder forwarder,
        UpstreamEndpointSet endpoints,
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
        _endpoints = endpoints;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _requestConfig = new ForwarderRequestConfig
        {
            ActivityTimeout = options.Value.Forwarding.ActivityTimeout,
            AllowResponseBuffering = false,
        };
    }

    /// <summary>Forwards <paramref name="context"/>'s request and copies the answer back.</summary>
    public async Task ForwardAsync(HttpContext context)
    {
        var info = RequestInfoFeature.Get(context);
        var endpoint = _endpoints.Next();
        context.Features.Set(new ForwardingFeature(endpoint, info, _metrics, _time));
        _metrics.Inflight(info, 1);
        using var endAtShutdown = LongRunningRequest.Is(info)
            ? _stopping.UnsafeRegister(static state => ((HttpContext)state!).Abort(), context)
            : default;
        try
        {
            var error = await _forwarder.SendAsync(context, endpoint.DestinationPrefix, endpoint.Invoker, _requestConfig, _transformer);
            if (error != ForwarderError.None)
            {
                await HandleErrorAsync(context, endpoint, error);
            }
        }
        finally
        {
            _metrics.Inflight(info, -1);
            _metrics.RequestForwarded(info, context.Response.StatusCode);
        }
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

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Forwarded {Method} {Path} to {Upstream} ended early: {Error} ({Reason})")]
    private static partial void LogForwardingEnded(ILogger logger, string method, PathString path, string upstream, ForwarderError error, string? reason);
}
