using ApiCache.Configuration;
using ApiCache.Requests;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ApiCache.Balancing;

/// <summary>
/// The apiserver's <c>--goaway-chance</c> for ApiCache's own clients: with a small probability
/// (<see cref="BalancingOptions.GoAwayChance"/>), the client connection that carried a request is
/// ended gracefully once the response is done, so long-lived clients reconnect and spread over the
/// replicas behind a Service. On HTTP/1.1 the response carries <c>Connection: close</c>; on HTTP/2,
/// where a response cannot carry GOAWAY, the connection is asked to close through Kestrel's
/// <see cref="IConnectionLifetimeNotificationFeature.RequestClose"/>, which sends GOAWAY and lets
/// streams in flight finish. Watches and other long-running requests are never chosen: ending their
/// connection would cut the streams, not spread new work.
/// </summary>
internal sealed class ClientGoAway(IOptions<ApiCacheOptions> options) : IMiddleware
{
    private readonly double _chance = options.Value.Balancing.GoAwayChance;

    /// <summary>Whether the middleware does anything (a chance above zero).</summary>
    public bool Enabled => _chance > 0;

    /// <inheritdoc/>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_chance <= 0 || (_chance < 1 && Random.Shared.NextDouble() >= _chance) || LongRunningRequest.Is(RequestInfoFeature.Get(context)))
        {
            return next(context);
        }

        if (HttpProtocol.IsHttp11(context.Request.Protocol))
        {
            context.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).Headers.Connection = "close";
                return Task.CompletedTask;
            }, context.Response);
        }
        else if (HttpProtocol.IsHttp2(context.Request.Protocol) && context.Features.Get<IConnectionLifetimeNotificationFeature>() is { } lifetime)
        {
            context.Response.OnCompleted(static state =>
            {
                ((IConnectionLifetimeNotificationFeature)state).RequestClose();
                return Task.CompletedTask;
            }, lifetime);
        }

        return next(context);
    }
}
