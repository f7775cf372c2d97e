using System.Diagnostics.Metrics;
using ApiCache.Configuration;
using ApiCache.Metrics;
using ApiCache.Security;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Security.Authorization;

/// <summary>
/// Decisions are kept by the fake clock's time: allowed ones for AllowTtl, denied ones for DenyTtl,
/// at most CacheSize of them; identical reviews in flight share one upstream call; unavailability is
/// never kept; every decision is counted by outcome and source.
/// </summary>
public sealed class CachingAccessReviewerTests : IDisposable
{
    private static readonly UserInfo Alice = UserInfo.Authenticated("alice", "", ["developers"]);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeClock _clock = new();
    private readonly RecordingReviewer _upstream = new();
    private readonly DecisionRecorder _decisions;
    private readonly CachingAccessReviewer _reviewer;

    public CachingAccessReviewerTests()
    {
        var metrics = new ApiCacheMetrics(_services.GetRequiredService<IMeterFactory>());
        _decisions = new DecisionRecorder(metrics.Meter);
        _reviewer = new CachingAccessReviewer(
            _upstream,
            new CallerAuthorizationOptions { AllowTtl = TimeSpan.FromSeconds(10), DenyTtl = TimeSpan.FromSeconds(5), CacheSize = 3 },
            _clock,
            new AuthorizationMetrics(metrics));
    }

    public void Dispose()
    {
        _reviewer.Dispose();
        _decisions.Dispose();
        _services.Dispose();
    }

    [Fact]
    public async Task ReviewAsync_Allowed_KeptForAllowTtlThenAskedAgain()
    {
        // Arrange
        var pods = ListPods("team-a");

        // Act
        var first = await _reviewer.ReviewAsync(pods, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(9));
        var withinTtl = await _reviewer.ReviewAsync(pods, CancellationToken.None);
        var callsWithinTtl = _upstream.Calls;
        _clock.Advance(TimeSpan.FromSeconds(1));
        var afterTtl = await _reviewer.ReviewAsync(pods, CancellationToken.None);

        // Assert
        Assert.True(first.Allowed);
        Assert.True(withinTtl.Allowed);
        Assert.True(afterTtl.Allowed);
        Assert.Equal(1, callsWithinTtl);
        Assert.Equal(2, _upstream.Calls);
        Assert.Equal(["allowed/false", "allowed/true", "allowed/false"], Counted());
    }

    [Fact]
    public async Task ReviewAsync_Denied_KeptForDenyTtlOnly()
    {
        // Arrange: denied first, allowed once the upstream changes its mind.
        var pods = ListPods("team-b");
        _upstream.Rule = _ => new AccessDecision(false, Reason: "no");

        // Act
        var first = await _reviewer.ReviewAsync(pods, CancellationToken.None);
        _upstream.Rule = _ => AccessDecision.Allow;
        _clock.Advance(TimeSpan.FromSeconds(4.9));
        var withinTtl = await _reviewer.ReviewAsync(pods, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        var afterTtl = await _reviewer.ReviewAsync(pods, CancellationToken.None);

        // Assert
        Assert.Equal(new AccessDecision(false, Reason: "no"), first);
        Assert.Same(first, withinTtl);
        Assert.True(afterTtl.Allowed);
        Assert.Equal(2, _upstream.Calls);
        Assert.Equal(["denied/false", "denied/true", "allowed/false"], Counted());
    }

    [Fact]
    public async Task ReviewAsync_DifferentAttributes_AreDifferentDecisions()
    {
        // Act: same user and verb, other namespace; same request, other user.
        await _reviewer.ReviewAsync(ListPods("team-a"), CancellationToken.None);
        await _reviewer.ReviewAsync(ListPods("team-b"), CancellationToken.None);
        await _reviewer.ReviewAsync(ListPods("team-a") with { User = UserInfo.Anonymous }, CancellationToken.None);
        await _reviewer.ReviewAsync(ListPods("team-a"), CancellationToken.None);

        // Assert
        Assert.Equal(3, _upstream.Calls);
    }

    [Fact]
    public async Task ReviewAsync_MoreDistinctReviewsThanCacheSize_KeepsAtMostCacheSize()
    {
        // Arrange: CacheSize is 3.
        string[] namespaces = ["ns-1", "ns-2", "ns-3", "ns-4", "ns-5"];

        // Act
        foreach (var ns in namespaces)
        {
            await _reviewer.ReviewAsync(ListPods(ns), CancellationToken.None);
        }

        var kept = _reviewer.Count;
        foreach (var ns in namespaces)
        {
            await _reviewer.ReviewAsync(ListPods(ns), CancellationToken.None);
        }

        // Assert: never more than 3 kept, so the second round had to ask again for at least two.
        Assert.InRange(kept, 1, 3);
        Assert.InRange(_reviewer.Count, 0, 3);
        Assert.InRange(_upstream.Calls, namespaces.Length + 2, namespaces.Length * 2);
    }

    [Fact]
    public async Task ReviewAsync_IdenticalReviewsInFlight_ShareOneUpstreamCall()
    {
        // Arrange
        _upstream.Hold();
        var pods = ListPods("team-a");

        // Act
        var waiting = Enumerable.Range(0, 8).Select(_ => _reviewer.ReviewAsync(pods, CancellationToken.None).AsTask()).ToList();
        var other = _reviewer.ReviewAsync(ListPods("team-b"), CancellationToken.None).AsTask();
        var callsWhileHeld = _upstream.Calls;
        _upstream.Release();
        var decisions = await Task.WhenAll(waiting);
        await other;

        // Assert
        Assert.Equal(2, callsWhileHeld);
        Assert.Equal(2, _upstream.Calls);
        Assert.All(decisions, d => Assert.True(d.Allowed));
        Assert.Equal(9, Counted().Count(c => c == "allowed/false"));
    }

    [Fact]
    public async Task ReviewAsync_WaiterCancelled_SharedReviewStillCompletesAndIsKept()
    {
        // Arrange
        _upstream.Hold();
        var pods = ListPods("team-a");
        using var cancel = new CancellationTokenSource();

        // Act: the first caller gives up; a second one joins the same review.
        var abandoned = _reviewer.ReviewAsync(pods, cancel.Token).AsTask();
        var second = _reviewer.ReviewAsync(pods, CancellationToken.None).AsTask();
        await cancel.CancelAsync();
        var abandonedError = await Record.ExceptionAsync(() => abandoned);
        _upstream.Release();
        var decision = await second;
        var third = await _reviewer.ReviewAsync(pods, CancellationToken.None);

        // Assert
        Assert.IsType<TaskCanceledException>(abandonedError, exactMatch: false);
        Assert.True(decision.Allowed);
        Assert.True(third.Allowed);
        Assert.Equal(1, _upstream.Calls);
    }

    [Fact]
    public async Task ReviewAsync_Unavailable_NotKeptAndCounted()
    {
        // Arrange
        _upstream.Unavailable = true;
        var pods = ListPods("team-a");

        // Act
        await Assert.ThrowsAsync<AccessReviewUnavailableException>(async () => await _reviewer.ReviewAsync(pods, CancellationToken.None));
        _upstream.Unavailable = false;
        var next = await _reviewer.ReviewAsync(pods, CancellationToken.None);

        // Assert: the next request asked again, at the same fake time.
        Assert.True(next.Allowed);
        Assert.Equal(2, _upstream.Calls);
        Assert.Equal(["unavailable/false", "allowed/false"], Counted());
    }

    [Fact]
    public async Task ReviewAsync_ZeroTtl_KeepsNothing()
    {
        // Arrange
        using var reviewer = new CachingAccessReviewer(
            _upstream,
            new CallerAuthorizationOptions { AllowTtl = TimeSpan.Zero, DenyTtl = TimeSpan.Zero },
            _clock,
            new AuthorizationMetrics(new ApiCacheMetrics(_services.GetRequiredService<IMeterFactory>())));

        // Act
        await reviewer.ReviewAsync(ListPods("team-a"), CancellationToken.None);
        await reviewer.ReviewAsync(ListPods("team-a"), CancellationToken.None);

        // Assert
        Assert.Equal(2, _upstream.Calls);
        Assert.Equal(0, reviewer.Count);
    }

    private static AccessReviewAttributes ListPods(string ns) =>
        new() { User = Alice, Verb = "list", Version = "v1", Resource = "pods", Namespace = ns };

    private IReadOnlyList<string> Counted() => _decisions.Measurements;
}
