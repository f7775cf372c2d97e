using System.Collections.Frozen;

namespace ApiCache.Throttling;

/// <summary>
/// Requests and rejections per User-Agent product over a sliding minute, so an operator (through
/// <c>/apicache/v1/top</c>) and the metrics (through <see cref="Label"/>) see the heaviest clients.
/// Bounded: one bucket per second for <see cref="WindowSeconds"/> seconds, each counting at most
/// <see cref="MaxProductsPerSecond"/> distinct products; further products in that second are summed
/// into the bucket's overflow. Once per second the top products of the window are recomputed; only
/// they are named in metric labels.
/// </summary>
internal sealed class UserAgentTraffic
{
    /// <summary>The length of the window, in one-second buckets.</summary>
    public const int WindowSeconds = 60;

    /// <summary>Distinct products counted per second before the rest is summed as overflow.</summary>
    public const int MaxProductsPerSecond = 256;

    /// <summary>The <c>user_agent</c> label of products outside the top.</summary>
    public const string OtherLabel = "other";

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly int _topCount;
    private readonly Bucket[] _buckets = new Bucket[WindowSeconds];
    private FrozenSet<string> _top = FrozenSet<string>.Empty;
    private long _topSecond = long.MinValue;

    /// <summary>Tracks traffic on <paramref name="time"/>'s clock; <paramref name="topCount"/> products get their own label.</summary>
    public UserAgentTraffic(TimeProvider time, int topCount)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topCount);
        _time = time;
        _topCount = topCount;
        for (var i = 0; i < _buckets.Length; i++)
        {
            _buckets[i] = new Bucket();
        }
    }

    /// <summary>Counts one request of <paramref name="product"/>, rejected or not.</summary>
    public void Record(string product, bool rejected)
    {
        var second = _time.GetUtcNow().ToUnixTimeSeconds();
        lock (_gate)
        {
            if (second != _topSecond)
            {
                RecomputeTop(second);
            }

            var bucket = _buckets[(int)(second % WindowSeconds)];
            if (bucket.Second != second)
            {
                bucket.Reset(second);
            }

            bucket.Add(product, rejected);

            // While the top has room, a new product is named at once rather than from the next second.
            if (_top.Count < _topCount && !_top.Contains(product))
            {
                Volatile.Write(ref _top, _top.Append(product).ToFrozenSet(StringComparer.Ordinal));
            }
        }
    }

    /// <summary>
    /// The <c>user_agent</c> label of <paramref name="product"/> (after <see cref="Record"/>): itself
    /// while it is among the top products of the window (recomputed at the start of each second; a
    /// new product joins at once while the top has room), else <see cref="OtherLabel"/>.
    /// </summary>
    public string Label(string product) =>
        Volatile.Read(ref _top).Contains(product) ? UserAgentProduct.Display(product) : OtherLabel;

    /// <summary>
    /// The window's products sorted by requests (then rejections, then name), at most
    /// <paramref name="limit"/>, and what the buckets' overflow summed up.
    /// </summary>
    public (IReadOnlyList<UserAgentTrafficEntry> Top, long OtherRequests, long OtherRejections) Snapshot(int limit)
    {
        var second = _time.GetUtcNow().ToUnixTimeSeconds();
        Dictionary<string, Counts> totals;
        Counts other;
        lock (_gate)
        {
            (totals, other) = Sum(second);
        }

        var top = totals
            .Select(pair => new UserAgentTrafficEntry(pair.Key, pair.Value.Requests, pair.Value.Rejections))
            .OrderByDescending(e => e.Requests)
            .ThenByDescending(e => e.Rejections)
            .ThenBy(e => e.Product, StringComparer.Ordinal)
            .Take(limit)
            .ToList();
        return (top, other.Requests, other.Rejections);
    }

    /// <summary>Sums the buckets of the window ending at <paramref name="second"/> (caller holds the lock).</summary>
    private (Dictionary<string, Counts> Totals, Counts Other) Sum(long second)
    {
        var totals = new Dictionary<string, Counts>(StringComparer.Ordinal);
        var other = new Counts();
        foreach (var bucket in _buckets)
        {
            if (bucket.Second <= second - WindowSeconds || bucket.Second > second)
            {
                continue;
            }

            foreach (var (product, counts) in bucket.Products)
            {
                if (!totals.TryGetValue(product, out var total))
                {
                    total = new Counts();
                    totals.Add(product, total);
                }

                total.Requests += counts.Requests;
                total.Rejections += counts.Rejections;
            }

            other.Requests += bucket.Overflow.Requests;
            other.Rejections += bucket.Overflow.Rejections;
        }

        return (totals, other);
    }

    /// <summary>Recomputes the labelled products from the window (caller holds the lock; once per second).</summary>
    private void RecomputeTop(long second)
    {
        _topSecond = second;
        var (totals, _) = Sum(second);
        var top = totals
            .OrderByDescending(pair => pair.Value.Requests)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Take(_topCount)
            .Select(pair => pair.Key)
            .ToFrozenSet(StringComparer.Ordinal);
        Volatile.Write(ref _top, top);
    }

    /// <summary>Requests and rejections of one product in one bucket.</summary>
    private sealed class Counts
    {
        public long Requests { get; set; }

        public long Rejections { get; set; }
    }

    /// <summary>One second of traffic.</summary>
    private sealed class Bucket
    {
        public long Second { get; private set; } = long.MinValue;

        public Dictionary<string, Counts> Products { get; } = new(StringComparer.Ordinal);

        public Counts Overflow { get; private set; } = new();

        public void Reset(long second)
        {
            Second = second;
            Products.Clear();
            Overflow = new Counts();
        }

        public void Add(string product, bool rejected)
        {
            if (!Products.TryGetValue(product, out var counts))
            {
                if (Products.Count >= MaxProductsPerSecond)
                {
                    counts = Overflow;
                }
                else
                {
                    counts = new Counts();
                    Products.Add(product, counts);
                }
            }

            counts.Requests++;
            if (rejected)
            {
                counts.Rejections++;
            }
        }
    }
}
