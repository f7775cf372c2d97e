namespace ApiCache.Informers;

/// <summary>
/// How a <see cref="Reflector"/> lists, watches and backs off. The defaults follow client-go's
/// reflector: pages of 500, backoff from 800 ms doubling to 30 s with full jitter and reset after
/// 2 minutes without failure, watches of a random 5 to 10 minutes.
/// </summary>
internal sealed record ReflectorSettings
{
    /// <summary>The defaults, which <see cref="Configuration.CacheOptions"/> starts from too.</summary>
    public static ReflectorSettings Defaults { get; } = new();

    /// <summary>Items per LIST page (<c>limit</c>).</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>The first backoff delay after a failure.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(800);

    /// <summary>The largest backoff delay before jitter.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Each further failure multiplies the delay by this.</summary>
    public double BackoffFactor { get; init; } = 2.0;

    /// <summary>A delay d becomes a random delay in [d, d × (1 + jitter)), so reflectors do not retry in step.</summary>
    public double BackoffJitter { get; init; } = 1.0;

    /// <summary>After this long without a failure the backoff starts again from <see cref="InitialBackoff"/>.</summary>
    public TimeSpan BackoffResetAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Each watch asks for a random <c>timeoutSeconds</c> in [min, 2 × min), so watches do not all restart together.</summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// If a watch has sent nothing this long after its <c>timeoutSeconds</c>, the connection is
    /// presumed dead and the watch is resumed on a new one.
    /// </summary>
    public TimeSpan WatchStallGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A watch that ends without any event sooner than this counts as a failure (backoff), so an
    /// upstream that closes watches at once is not hammered.
    /// </summary>
    public TimeSpan MinHealthyWatchDuration { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest <c>Retry-After</c> honoured; longer requests are cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>After the cache went over its byte budget, how long to wait before trying a fresh list.</summary>
    public TimeSpan BudgetRetryDelay { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The largest list page body or single watch event accepted (pass it to <see cref="ListWatchClient"/>).</summary>
    public int MaxMessageBytes { get; init; } = ListWatchClient.DefaultMaxMessageBytes;

    /// <summary>Fails with a message naming the setting when a value is unusable.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(PageSize, 1, nameof(PageSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(InitialBackoff, TimeSpan.Zero, nameof(InitialBackoff));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBackoff, InitialBackoff, nameof(MaxBackoff));
        ArgumentOutOfRangeException.ThrowIfLessThan(BackoffFactor, 1.0, nameof(BackoffFactor));
        ArgumentOutOfRangeException.ThrowIfNegative(BackoffJitter, nameof(BackoffJitter));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(BackoffResetAfter, TimeSpan.Zero, nameof(BackoffResetAfter));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinWatchTimeout, TimeSpan.FromSeconds(1), nameof(MinWatchTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(WatchStallGrace, TimeSpan.Zero, nameof(WatchStallGrace));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinHealthyWatchDuration, TimeSpan.Zero, nameof(MinHealthyWatchDuration));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryAfter, TimeSpan.Zero, nameof(MaxRetryAfter));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(BudgetRetryDelay, TimeSpan.Zero, nameof(BudgetRetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageBytes, 1024, nameof(MaxMessageBytes));
    }

    /// <summary>
    /// The <c>timeoutSeconds</c> for one watch: <see cref="MinWatchTimeout"/> × (1 + <paramref name="random"/>)
    /// in whole seconds, which lies in [min, 2 × min) for <paramref name="random"/> in [0, 1).
    /// </summary>
    public int PickWatchTimeoutSeconds(double random)
    {
        var min = Math.Max(1, (long)MinWatchTimeout.TotalSeconds);
        var seconds = (long)Math.Floor(min * (1 + Math.Clamp(random, 0, 1)));
        return (int)Math.Clamp(seconds, min, Math.Min(int.MaxValue, Math.Max(min, (2 * min) - 1)));
    }
}
