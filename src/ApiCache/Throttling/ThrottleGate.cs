using System.Threading.RateLimiting;
using ApiCache.Configuration;
using ApiCache.Metrics;
using ApiCache.Requests;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Throttling;

/// <summary>
/// Decides, before any other work, whether a request goes on: the first matching rule's limiter
/// must grant a permit, then the global in-flight limit of the request's kind must have room.
/// A refusal is a 429 Kubernetes Status (reason TooManyRequests) with <c>Retry-After</c> and
/// <c>details.retryAfterSeconds</c>. Every decision is counted by User-Agent product, rule and verb.
/// </summary>
/// <remarks>
/// Long-running requests (watch, logs, exec, ...) count once, when opened: they take one token of a
/// token bucket, and hold a concurrency permit only until their response starts (the costly part of
/// a watch for the apiserver is opening it; a permit held for the watch's life would turn a
/// concurrency rule into a cap on open watches). The global in-flight limits never apply to them.
/// The path without a matching rule does no asynchronous work of its own.
/// </remarks>
internal sealed class ThrottleGate
{
    /// <summary>The apiserver's message when its max-inflight limit is reached.</summary>
    public const string InflightMessage = "Too many requests, please try again later.";

    private static readonly Func<object, Task> ReleaseOnStart = static state =>
    {
        ((RateLimitLease)state).Dispose();
        return Task.CompletedTask;
    };

    private readonly ThrottleRuleStore _store;
    private readonly InflightCounters _inflight;
    private readonly UserAgentTraffic _traffic;
    private readonly ThrottlingMetrics _metrics;

    public ThrottleGate(ThrottleRuleStore store, InflightCounters inflight, UserAgentTraffic traffic, ThrottlingMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _store = store;
        _inflight = inflight;
        _traffic = traffic;
        _metrics = metrics;
        metrics.Observe(() => store.Current, inflight);
    }

    /// <summary>Throttles <paramref name="context"/>'s request or runs <paramref name="next"/> for it.</summary>
    public Task RunAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var limits = _store.Limits;
        if (!limits.Enabled)
        {
            return next(context);
        }

        var info = RequestInfoFeature.Get(context);
        var userAgent = context.Request.Headers.UserAgent.ToString();
        var product = UserAgentProduct.Parse(userAgent);
        var kind = InflightCounters.Classify(info);
        var rule = _store.Current.Match(product, info);
        RateLimitLease? lease = null;
        if (rule is not null)
        {
            lease = rule.Acquire(userAgent);
            if (!lease.IsAcquired)
            {
                Count(product, rule.Name, info, ThrottleDecision.Rejected);
                return RejectAsync(context, rule.RejectionMessage(product), RetryAfterSeconds(lease, limits));
            }
        }

        var limit = kind switch
        {
            InflightKind.Read => limits.MaxReadsInFlight,
            InflightKind.Mutation => limits.MaxMutationsInFlight,
            _ => 0,
        };
        if (!_inflight.TryEnter(kind, limit))
        {
            lease?.Dispose();
            Count(product, rule?.Name ?? "", info, ThrottleDecision.RejectedInflight);
            return RejectAsync(context, InflightMessage, limits.RetryAfterSeconds);
        }

        Count(product, rule?.Name ?? "", info, ThrottleDecision.Allowed);
        if (lease is not null && kind == InflightKind.LongRunning && rule!.LimiterType == ThrottleLimiterType.Concurrency)
        {
            context.Response.OnStarting(ReleaseOnStart, lease);
        }

        Task task;
        try
        {
            task = next(context);
        }
        catch
        {
            Release(kind, lease);
            throw;
        }

        if (task.IsCompletedSuccessfully)
        {
            Release(kind, lease);
            return Task.CompletedTask;
        }

        return AwaitAndRelease(task, kind, lease);
    }

    private static Task RejectAsync(HttpContext context, string message, int retryAfterSeconds) =>
        StatusWriter.WriteAsync(context.Response, StatusError.TooManyRequests(message, retryAfterSeconds), context.RequestAborted);

    /// <summary>The configured Retry-After, or the time until the refusing bucket's next token when that is later.</summary>
    private static int RetryAfterSeconds(RateLimitLease lease, ThrottleLimits limits)
    {
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var wait))
        {
            var seconds = Math.Ceiling(Math.Min(wait.TotalSeconds, ThrottlingValidator.MaxRetryAfterSeconds));
            return Math.Max(limits.RetryAfterSeconds, (int)seconds);
        }

        return limits.RetryAfterSeconds;
    }

    private async Task AwaitAndRelease(Task task, InflightKind kind, RateLimitLease? lease)
    {
        try
        {
            await task;
        }
        finally
        {
            Release(kind, lease);
        }
    }

    private void Release(InflightKind kind, RateLimitLease? lease)
    {
        _inflight.Exit(kind);
        lease?.Dispose();
    }

    private void Count(string product, string rule, KubernetesRequestInfo info, ThrottleDecision decision)
    {
        _traffic.Record(product, decision != ThrottleDecision.Allowed);
        _metrics.Request(_traffic.Label(product), rule, ApiCacheMetrics.VerbLabel(info), decision);
    }
}
