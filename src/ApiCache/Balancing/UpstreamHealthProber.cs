using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ApiCache.Balancing;

/// <summary>
/// The pool's active health checks: every <c>HealthCheckPeriod</c>, a <c>GET /readyz</c> to each
/// endpoint at once, through the endpoint's own HTTP stack (its credentials and TLS), each bounded
/// by <c>HealthCheckTimeout</c>. A 2xx is a pass; anything else, a timeout or a connection failure
/// is a failure. Results go to <see cref="UpstreamPool.ReportCheck"/>, which applies the thresholds.
/// Does nothing for an embedded (in-process) pool or when checks are off.
/// </summary>
internal sealed partial class UpstreamHealthProber(UpstreamPool pool, TimeProvider time, ILogger<UpstreamHealthProber> logger) : BackgroundService
{
    /// <summary>Checks every endpoint once, concurrently; used by the loop and by tests.</summary>
    public Task CheckAllAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(pool.States.Select(s => CheckAsync(s.Endpoint, cancellationToken)));

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!pool.ActiveChecksEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(pool.Options.HealthCheckPeriod, time);
        try
        {
            // Bounded by the host's lifetime: one round per period until the host stops.
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // A round never outlives its checks' timeout by much: a check that ignored its
                // cancellation must not stop the checks of every endpoint for good.
                var round = CheckAllAsync(stoppingToken);
                try
                {
                    await round.WaitAsync(pool.Options.HealthCheckTimeout + pool.Options.HealthCheckPeriod, time, stoppingToken);
                }
                catch (TimeoutException)
                {
                    LogRoundOverdue(logger);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is not OperationCanceledException)
                {
                    LogRoundFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CheckAsync(Upstream.UpstreamEndpoint endpoint, CancellationToken stoppingToken)
    {
        bool ok;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(pool.Options.HealthCheckTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, endpoint.DestinationPrefix + "/readyz");
            using var response = await endpoint.Invoker.SendAsync(request, timeout.Token);
            ok = response.IsSuccessStatusCode;
            if (!ok)
            {
                LogCheckAnswered(logger, endpoint.Name, (int)response.StatusCode);
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !stoppingToken.IsCancellationRequested)
        {
            ok = false;
            LogCheckFailed(logger, endpoint.Name, e);
        }

        if (!stoppingToken.IsCancellationRequested)
        {
            pool.ReportCheck(endpoint, ok);
        }
    }

    [LoggerMessage(EventId = 312, Level = LogLevel.Warning, Message = "A round of upstream health checks did not finish within its timeout; the next round starts anyway")]
    private static partial void LogRoundOverdue(ILogger logger);

    [LoggerMessage(EventId = 313, Level = LogLevel.Error, Message = "A round of upstream health checks failed; the next round starts anyway")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 310, Level = LogLevel.Debug, Message = "Health check of upstream {Upstream} failed (no answer in time or no connection)")]
    private static partial void LogCheckFailed(ILogger logger, string upstream, Exception exception);

    [LoggerMessage(EventId = 311, Level = LogLevel.Debug, Message = "Health check of upstream {Upstream} failed: HTTP {StatusCode}")]
    private static partial void LogCheckAnswered(ILogger logger, string upstream, int statusCode);
}
