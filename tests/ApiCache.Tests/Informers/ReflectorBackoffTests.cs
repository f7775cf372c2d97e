using ApiCache.Informers;

namespace ApiCache.Tests.Informers;

public sealed class ReflectorBackoffTests
{
    private static readonly ReflectorSettings Defaults = new();

    [Theory]
    [InlineData(0, 0.8)]
    [InlineData(1, 1.6)]
    [InlineData(2, 3.2)]
    [InlineData(5, 25.6)]
    [InlineData(6, 30)]
    [InlineData(1000, 30)]
    public void Compute_WithoutJitter_DoublesFrom800MsUpTo30s(int failures, double expectedSeconds)
    {
        Assert.Equal(expectedSeconds, ReflectorBackoff.Compute(Defaults, failures, random: 0).TotalSeconds, precision: 6);
    }

    [Fact]
    public void Compute_FullJitter_StaysBelowTwiceTheDelay()
    {
        Assert.Equal(1.6 * 1.5, ReflectorBackoff.Compute(Defaults, 1, random: 0.5).TotalSeconds, precision: 6);
        Assert.True(ReflectorBackoff.Compute(Defaults, 100, random: 0.999999) < TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void Next_ConsecutiveFailures_Grow_AndResetAfterAHealthyPeriod()
    {
        var backoff = new ReflectorBackoff(Defaults);
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var first = backoff.Next(t0, 0);
        var second = backoff.Next(t0.AddSeconds(5), 0);
        var third = backoff.Next(t0.AddSeconds(10), 0);
        var afterQuiet = backoff.Next(t0.AddSeconds(10) + Defaults.BackoffResetAfter, 0);

        Assert.Equal(TimeSpan.FromMilliseconds(800), first);
        Assert.Equal(TimeSpan.FromMilliseconds(1600), second);
        Assert.Equal(TimeSpan.FromMilliseconds(3200), third);
        Assert.Equal(TimeSpan.FromMilliseconds(800), afterQuiet);
    }

    [Theory]
    [InlineData(0.0, 300)]
    [InlineData(0.5, 450)]
    [InlineData(0.999999, 599)]
    [InlineData(1.0, 599)]
    public void PickWatchTimeoutSeconds_DefaultMinimum_LiesInFiveToTenMinutes(double random, int expected)
    {
        Assert.Equal(expected, Defaults.PickWatchTimeoutSeconds(random));
    }

    [Fact]
    public void PickWatchTimeoutSeconds_OneSecondMinimum_IsOneSecond()
    {
        var settings = new ReflectorSettings { MinWatchTimeout = TimeSpan.FromSeconds(1) };

        Assert.Equal(1, settings.PickWatchTimeoutSeconds(0.99));
    }

    [Fact]
    public void Validate_MaxBackoffBelowInitial_ThrowsNamingTheSetting()
    {
        var settings = new ReflectorSettings { InitialBackoff = TimeSpan.FromSeconds(5), MaxBackoff = TimeSpan.FromSeconds(1) };

        var error = Assert.Throws<ArgumentOutOfRangeException>(settings.Validate);

        Assert.Equal("MaxBackoff", error.ParamName);
    }
}
