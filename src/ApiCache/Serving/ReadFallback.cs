using ApiCache.Consistency;

namespace ApiCache.Serving;

/// <summary>
/// Where reads go when the cache does not answer them itself: forwarded unchanged, the fallback of
/// a consistent read (forwarded within <see cref="Configuration.ConsistentReadOptions.MaxConcurrentFallbacks"/>,
/// else 429), or 429 while the resource's cache is still cold. Each way is counted.
/// </summary>
internal sealed class ReadFallback(ConsistentReadCoordinator coordinator, CacheReadMetrics metrics)
{
    /// <summary>
    /// For a consistent read: waits until the cache reflects the current revision and says how
    /// (fresh at once, or after waiting); null when it did not in time and the read was handed to
    /// <see cref="FallBackAsync"/> (it is answered then). The wait is recorded either way.
    /// </summary>
    public async Task<ReadPath?> WaitForCurrentAsync(CachedRead read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = await coordinator.WaitForCurrentAsync(read.Resource, read.Context.RequestAborted);
        if (outcome != ConsistencyOutcome.Behind)
        {
            var path = outcome == ConsistencyOutcome.AfterWait ? ReadPath.CacheAfterWait : ReadPath.CacheFresh;
            metrics.Waited(read.DisplayName, path, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            return path;
        }

        var answered = await FallBackAsync(read);
        metrics.Waited(read.DisplayName, answered, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return null;
    }

    /// <summary>
    /// For a read "not older than" <paramref name="resourceVersion"/>: waits (bounded) until the cache
    /// has reached it and says how; null when it did not and the read was forwarded (the upstream then
    /// waits or answers its 504 Too large resource version itself).
    /// </summary>
    public async Task<ReadPath?> WaitForOrForwardAsync(CachedRead read, long resourceVersion)
    {
        ArgumentNullException.ThrowIfNull(read);
        var outcome = await coordinator.WaitForAsync(read.Resource, resourceVersion, read.Context.RequestAborted);
        if (outcome == ConsistencyOutcome.Behind)
        {
            await ForwardAsync(read, ReadPath.Forwarded);
            return null;
        }

        return outcome == ConsistencyOutcome.AfterWait ? ReadPath.CacheAfterWait : ReadPath.CacheFresh;
    }

    /// <summary>Forwards the read unchanged, counted under <paramref name="path"/>.</summary>
    public Task ForwardAsync(CachedRead read, ReadPath path)
    {
        ArgumentNullException.ThrowIfNull(read);
        metrics.Read(read.DisplayName, read.Info.Verb, path);
        return read.Next(read.Context);
    }

    /// <summary>A consistent read the cache could not answer in time: forwarded if a fallback slot is free, else 429.</summary>
    public async Task<ReadPath> FallBackAsync(CachedRead read)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (!coordinator.TryBeginFallback())
        {
            metrics.Read(read.DisplayName, read.Info.Verb, ReadPath.Rejected429);
            var retryAfter = coordinator.Options.RetryAfterSeconds;
            await CacheAnswer.WriteErrorAsync(read.Context, StatusError.TooManyRequests(
                $"Too many requests: the cache of {read.DisplayName} has not caught up with the current revision and the fallback to the apiserver is {(coordinator.Options.Fallback == Configuration.ConsistentReadFallback.Forward ? "at its concurrency limit" : "disabled")}, please try again later",
                retryAfter));
            return ReadPath.Rejected429;
        }

        try
        {
            metrics.Read(read.DisplayName, read.Info.Verb, ReadPath.FallbackUpstream);
            await read.Next(read.Context);
            return ReadPath.FallbackUpstream;
        }
        finally
        {
            coordinator.EndFallback();
        }
    }

    /// <summary>A LIST or WATCH of a resource whose initial list is not complete: 429 with Retry-After.</summary>
    public Task RejectColdAsync(CachedRead read)
    {
        ArgumentNullException.ThrowIfNull(read);
        metrics.Read(read.DisplayName, read.Info.Verb, ReadPath.RejectedCold);
        return CacheAnswer.WriteErrorAsync(read.Context, StatusError.TooManyRequests(
            $"The cache of {read.DisplayName} is warming up (its initial list from the apiserver is not complete), please try again later",
            coordinator.Options.RetryAfterSeconds));
    }
}
