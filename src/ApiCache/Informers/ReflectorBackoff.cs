namespace ApiCache.Informers;

/// <summary>
/// The delays between a reflector's retries: exponential from <see cref="ReflectorSettings.InitialBackoff"/>
/// by <see cref="ReflectorSettings.BackoffFactor"/>, capped at <see cref="ReflectorSettings.MaxBackoff"/>,
/// then jittered; after <see cref="ReflectorSettings.BackoffResetAfter"/> without a failure it starts
/// over. The time and the random draw are passed in, so the arithmetic is tested without clocks.
/// Used by one loop; not thread-safe.
/// </summary>
internal sealed class ReflectorBackoff(ReflectorSettings settings)
{
    /// <summary>Exponents stop growing here; the cap is long reached by then.</summary>
    private const int MaxExponent = 62;

    private int _failures;
    private DateTimeOffset? _lastFailure;

    /// <summary>
    /// The delay after the (<paramref name="failures"/> + 1)-th consecutive failure:
    /// min(initial × factor^failures, max) × (1 + jitter × <paramref name="random"/>).
    /// </summary>
    public static TimeSpan Compute(ReflectorSettings settings, int failures, double random)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var exponent = Math.Clamp(failures, 0, MaxExponent);
        var seconds = Math.Min(settings.InitialBackoff.TotalSeconds * Math.Pow(settings.BackoffFactor, exponent), settings.MaxBackoff.TotalSeconds);
        return TimeSpan.FromSeconds(seconds * (1 + (settings.BackoffJitter * Math.Clamp(random, 0, 1))));
    }

    /// <summary>Records a failure at <paramref name="now"/> and returns how long to wait before retrying.</summary>
    public TimeSpan Next(DateTimeOffset now, double random)
    {
        if (_lastFailure is { } last && now - last >= settings.BackoffResetAfter)
        {
            _failures = 0;
        }

        var delay = Compute(settings, _failures, random);
        _failures = Math.Min(_failures + 1, MaxExponent);
        _lastFailure = now;
        return delay;
    }
}
