using ApiCache.Requests;

namespace ApiCache.Throttling;

/// <summary>
/// Requests in flight by <see cref="InflightKind"/>, and the global limits on them: like the
/// apiserver's <c>--max-requests-inflight</c> / <c>--max-mutating-requests-inflight</c>, a request
/// that finds its kind full is refused at once (never queued). Long-running requests are counted but
/// never limited: they stay open for as long as their clients want.
/// </summary>
internal sealed class InflightCounters
{
    private int _reads;
    private int _mutations;
    private int _longRunning;

    /// <summary>Reads in flight.</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Mutations in flight.</summary>
    public int Mutations => Volatile.Read(ref _mutations);

    /// <summary>Long-running requests in flight.</summary>
    public int LongRunning => Volatile.Read(ref _longRunning);

    /// <summary>
    /// Classifies a request the way the apiserver's max-inflight filter does: long-running first, then
    /// the verbs get, list and watch are reads and everything else (non-resource POSTs included) mutates.
    /// </summary>
    public static InflightKind Classify(KubernetesRequestInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (LongRunningRequest.Is(info))
        {
            return InflightKind.LongRunning;
        }

        return info.Verb is "get" or "list" or "watch" ? InflightKind.Read : InflightKind.Mutation;
    }

    /// <summary>Counts a request of <paramref name="kind"/> in, unless <paramref name="limit"/> (0: none) is reached; whether it was.</summary>
    public bool TryEnter(InflightKind kind, int limit)
    {
        ref var count = ref Counter(kind);
        var now = Interlocked.Increment(ref count);
        if (limit > 0 && now > limit)
        {
            Interlocked.Decrement(ref count);
            return false;
        }

        return true;
    }

    /// <summary>Counts a request of <paramref name="kind"/> out.</summary>
    public void Exit(InflightKind kind) => Interlocked.Decrement(ref Counter(kind));

    private ref int Counter(InflightKind kind)
    {
        switch (kind)
        {
            case InflightKind.Read:
                return ref _reads;
            case InflightKind.Mutation:
                return ref _mutations;
            default:
                return ref _longRunning;
        }
    }
}
