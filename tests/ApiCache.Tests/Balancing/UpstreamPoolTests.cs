using ApiCache.Balancing;
using ApiCache.Configuration;
using ApiCache.Tests.Infrastructure;
using ApiCache.Upstream;

namespace ApiCache.Tests.Balancing;

/// <summary>The pool's choice (power of two choices), 429 cool-downs and health state transitions, on a fake clock.</summary>
public sealed class UpstreamPoolTests : IDisposable
{
    private readonly FakeClock _clock = new();
    private readonly UpstreamEndpoint[] _endpoints = [Endpoint("a"), Endpoint("b"), Endpoint("c")];

    public void Dispose()
    {
        foreach (var endpoint in _endpoints)
        {
            endpoint.Dispose();
        }
    }

    [Fact]
    public void Choose_OneEndpointBusy_PrefersTheIdleOnes()
    {
        // Arrange
        var pool = Pool(new BalancingOptions());
        for (var i = 0; i < 10; i++)
        {
            pool.RequestStarted(_endpoints[0]);
        }

        // Act
        var chosen = Enumerable.Range(0, 300).Select(_ => pool.Choose()).ToList();

        // Assert: a draw of two always contains an idle endpoint when "a" is one of them.
        Assert.DoesNotContain(_endpoints[0], chosen);
        Assert.Contains(_endpoints[1], chosen);
        Assert.Contains(_endpoints[2], chosen);
    }

    [Fact]
    public void Choose_RequestsKeptInFlight_SpreadsEvenly()
    {
        // Arrange
        var pool = Pool(new BalancingOptions());
        var counts = new Dictionary<string, int>();

        // Act: every request stays in flight, so each choice sees the load of the earlier ones.
        for (var i = 0; i < 300; i++)
        {
            var endpoint = pool.Choose();
            pool.RequestStarted(endpoint);
            counts[endpoint.Name] = counts.GetValueOrDefault(endpoint.Name) + 1;
        }

        // Assert: least outstanding of two keeps the in-flight counts within a few of each other.
        Assert.Equal(3, counts.Count);
        Assert.True(counts.Values.Max() - counts.Values.Min() <= 3, string.Join(", ", counts));
        Assert.InRange(pool.BalanceRatio(), 1, 1.05);
    }

    [Fact]
    public void Choose_Excluding_NeverReturnsTheExcludedEndpoint()
    {
        var pool = Pool(new BalancingOptions());

        var chosen = Enumerable.Range(0, 200).Select(_ => pool.Choose(exclude: _endpoints[1])).ToList();

        Assert.DoesNotContain(_endpoints[1], chosen);
        Assert.Contains(_endpoints[0], chosen);
        Assert.Contains(_endpoints[2], chosen);
    }

    [Fact]
    public void ReportFailure_429WithRetryAfter_CoolsDownForThatLong()
    {
        // Arrange
        var pool = Pool(new BalancingOptions { MaxCooldown = TimeSpan.FromSeconds(30) });

        // Act
        pool.ReportFailure(_endpoints[0], 429, TimeSpan.FromSeconds(5));

        // Assert
        Assert.False(pool.IsAvailable(_endpoints[0]));
        Assert.True(pool.IsHealthy(_endpoints[0]));
        Assert.DoesNotContain(_endpoints[0], Enumerable.Range(0, 100).Select(_ => pool.Choose()));
        _clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(pool.IsAvailable(_endpoints[0]));
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(pool.IsAvailable(_endpoints[0]));
    }

    [Fact]
    public void ReportFailure_429WithLongRetryAfter_CappedAtMaxCooldown()
    {
        var pool = Pool(new BalancingOptions { MaxCooldown = TimeSpan.FromSeconds(10) });

        pool.ReportFailure(_endpoints[0], 429, TimeSpan.FromHours(1));
        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.True(pool.IsAvailable(_endpoints[0]));
    }

    [Fact]
    public void ReportFailure_429WithoutRetryAfter_UsesDefaultCooldown()
    {
        var pool = Pool(new BalancingOptions { DefaultCooldown = TimeSpan.FromSeconds(2) });

        pool.ReportFailure(_endpoints[0], 429, null);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var duringCooldown = pool.IsAvailable(_endpoints[0]);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.False(duringCooldown);
        Assert.True(pool.IsAvailable(_endpoints[0]));
    }

    [Fact]
    public void ReportCheck_FailuresUpToThreshold_TurnsUnhealthyThenHealthyAfterSuccesses()
    {
        // Arrange
        var pool = Pool(new BalancingOptions { UnhealthyThreshold = 3, HealthyThreshold = 2 });
        var b = _endpoints[1];

        // Act + Assert: two failures are not enough, the third is.
        pool.ReportCheck(b, false);
        pool.ReportCheck(b, false);
        Assert.True(pool.IsHealthy(b));
        pool.ReportCheck(b, false);
        Assert.False(pool.IsHealthy(b));
        Assert.False(pool.IsAvailable(b));
        Assert.DoesNotContain(b, Enumerable.Range(0, 100).Select(_ => pool.Choose()));

        // One success, then a failure: the streak restarts.
        pool.ReportCheck(b, true);
        pool.ReportCheck(b, false);
        pool.ReportCheck(b, true);
        Assert.False(pool.IsHealthy(b));
        pool.ReportCheck(b, true);
        Assert.True(pool.IsHealthy(b));
        Assert.Contains(b, Enumerable.Range(0, 100).Select(_ => pool.Choose()));
    }

    [Fact]
    public void ReportCheck_SuccessAfterFailures_ResetsTheFailureStreak()
    {
        var pool = Pool(new BalancingOptions { UnhealthyThreshold = 2 });

        pool.ReportCheck(_endpoints[0], false);
        pool.ReportCheck(_endpoints[0], true);
        pool.ReportCheck(_endpoints[0], false);

        Assert.True(pool.IsHealthy(_endpoints[0]));
    }

    [Fact]
    public void ReportFailure_ThresholdWithinWindow_TurnsUnhealthyUntilChecksPass()
    {
        // Arrange
        var pool = Pool(new BalancingOptions { PassiveFailureThreshold = 3, PassiveFailureWindow = TimeSpan.FromSeconds(10), HealthyThreshold = 1 });
        var a = _endpoints[0];

        // Act: two failures, then a third after the first left the window: still healthy.
        pool.ReportFailure(a, null, null);
        _clock.Advance(TimeSpan.FromSeconds(6));
        pool.ReportFailure(a, 503, null);
        _clock.Advance(TimeSpan.FromSeconds(5));
        pool.ReportFailure(a, null, null);
        var afterSpreadFailures = pool.IsHealthy(a);
        pool.ReportFailure(a, 500, null);
        var afterThreeInWindow = pool.IsHealthy(a);
        _clock.Advance(TimeSpan.FromMinutes(5));
        var muchLater = pool.IsHealthy(a);
        pool.ReportCheck(a, true);

        // Assert: with active checks on, only a passing check brings it back.
        Assert.True(afterSpreadFailures);
        Assert.False(afterThreeInWindow);
        Assert.False(muchLater);
        Assert.True(pool.IsHealthy(a));
    }

    [Fact]
    public void ReportFailure_ChecksOff_EndpointReturnsAfterTheWindow()
    {
        var pool = Pool(new BalancingOptions { HealthCheckPeriod = TimeSpan.Zero, PassiveFailureThreshold = 1, PassiveFailureWindow = TimeSpan.FromSeconds(10) });

        pool.ReportFailure(_endpoints[2], null, null);
        var right = pool.IsAvailable(_endpoints[2]);
        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.False(right);
        Assert.True(pool.IsAvailable(_endpoints[2]));
        Assert.False(pool.ActiveChecksEnabled);
    }

    [Fact]
    public void Choose_NoEndpointAvailable_FallsBackToAll()
    {
        var pool = Pool(new BalancingOptions { UnhealthyThreshold = 1 });
        foreach (var endpoint in _endpoints)
        {
            pool.ReportCheck(endpoint, false);
        }

        var chosen = Enumerable.Range(0, 100).Select(_ => pool.Choose()).Distinct().Count();

        Assert.Equal(3, chosen);
        Assert.False(pool.HasAlternative(_endpoints[0]));
    }

    [Fact]
    public void HasAlternative_OthersCoolingDown_IsFalse()
    {
        var pool = Pool(new BalancingOptions());
        pool.ReportFailure(_endpoints[1], 429, TimeSpan.FromSeconds(3));
        pool.ReportFailure(_endpoints[2], 429, TimeSpan.FromSeconds(3));

        Assert.False(pool.HasAlternative(_endpoints[0]));
        Assert.True(pool.HasAlternative(_endpoints[1]));
    }

    [Fact]
    public void Choose_RoundRobin_IgnoresHealthAndTakesTurns()
    {
        var pool = Pool(new BalancingOptions { Strategy = BalancingStrategy.RoundRobin, UnhealthyThreshold = 1 });
        pool.ReportCheck(_endpoints[1], false);

        var chosen = Enumerable.Range(0, 6).Select(_ => pool.Choose().Name).ToList();

        Assert.Equal(["a", "b", "c", "a", "b", "c"], chosen);
        Assert.False(pool.RetriesEnabled);
    }

    [Fact]
    public void BalanceRatio_UnevenRequestsInTheLastMinute_IsMaxOverMinOfHealthyEndpoints()
    {
        // Arrange
        var pool = Pool(new BalancingOptions { UnhealthyThreshold = 1 });
        Start(pool, _endpoints[0], 30);
        Start(pool, _endpoints[1], 10);
        Start(pool, _endpoints[2], 1000);

        // Act + Assert: the unhealthy endpoint does not count.
        pool.ReportCheck(_endpoints[2], false);
        Assert.Equal(3.0, pool.BalanceRatio());

        // A minute later the old requests have left the window.
        _clock.Advance(TimeSpan.FromSeconds(61));
        Start(pool, _endpoints[0], 5);
        Start(pool, _endpoints[1], 5);
        Assert.Equal(1.0, pool.BalanceRatio());
    }

    [Fact]
    public void Pool_SingleInProcessEndpoint_IsPassThrough()
    {
        using var inProcess = UpstreamEndpointSet.InProcess(new SocketsHttpHandler());
        var pool = new UpstreamPool([inProcess], new BalancingOptions { UnhealthyThreshold = 1, PassiveFailureThreshold = 1 }, _clock);

        pool.ReportCheck(inProcess, false);
        pool.ReportFailure(inProcess, 429, TimeSpan.FromMinutes(1));

        Assert.True(pool.IsPassThrough);
        Assert.False(pool.ActiveChecksEnabled);
        Assert.False(pool.RetriesEnabled);
        Assert.True(pool.IsAvailable(inProcess));
        Assert.Same(inProcess, pool.Choose());
    }

    private static UpstreamEndpoint Endpoint(string name) =>
        new(new UpstreamServerSettings { Url = new Uri($"http://{name}.invalid"), Source = "test" }, new HttpMessageInvoker(new SocketsHttpHandler()), name);

    private static void Start(UpstreamPool pool, UpstreamEndpoint endpoint, int count)
    {
        for (var i = 0; i < count; i++)
        {
            pool.RequestStarted(endpoint);
            pool.RequestEnded(endpoint);
        }
    }

    private UpstreamPool Pool(BalancingOptions options) => new(_endpoints, options, _clock, random: new Random(42));
}
