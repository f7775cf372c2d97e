using ApiCache.Storage;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Storage.History;

public sealed class FreshnessWaitersTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly FakeClock _clock = new();

    [Fact]
    public async Task WaitAsync_AlreadyCurrent_TrueAtOnceWithoutWaiter()
    {
        var waiters = new FreshnessWaiters(_clock, current: 10);

        var wait = waiters.WaitAsync(10, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.True(wait.IsCompletedSuccessfully);
        Assert.True(await wait);
        Assert.Equal(0, waiters.WaiterCount);
        Assert.Equal(0, _clock.ScheduledTimerCount);
    }

    [Fact]
    public async Task WaitAsync_AdvanceReachesVersion_CompletesTrue()
    {
        // Arrange
        var waiters = new FreshnessWaiters(_clock, current: 10);
        var wait = waiters.WaitAsync(15, TimeSpan.FromSeconds(5), CancellationToken.None).AsTask();

        // Act
        waiters.Advance(14);
        var pendingAt14 = !wait.IsCompleted;
        waiters.Advance(16);

        // Assert
        Assert.True(pendingAt14);
        Assert.True(await wait.WaitAsync(Guard));
        Assert.Equal(16, waiters.Current);
        Assert.Equal(0, waiters.WaiterCount);
        Assert.Equal(0, _clock.ScheduledTimerCount);
    }

    [Fact]
    public async Task WaitAsync_TimeoutElapsesFirst_FalseAndWaiterRemoved()
    {
        // Arrange
        var waiters = new FreshnessWaiters(_clock, current: 10);
        var wait = waiters.WaitAsync(15, TimeSpan.FromSeconds(3), CancellationToken.None).AsTask();

        // Act
        _clock.Advance(TimeSpan.FromSeconds(2));
        var pendingBefore = !wait.IsCompleted;
        _clock.Advance(TimeSpan.FromSeconds(1));

        // Assert
        Assert.True(pendingBefore);
        Assert.False(await wait.WaitAsync(Guard));
        Assert.Equal(0, waiters.WaiterCount);
        waiters.Advance(20);
        Assert.Equal(0, _clock.ScheduledTimerCount);
    }

    [Fact]
    public async Task WaitAsync_ZeroTimeoutNotCurrent_FalseAtOnce()
    {
        var waiters = new FreshnessWaiters(_clock, current: 10);

        var wait = waiters.WaitAsync(11, TimeSpan.Zero, CancellationToken.None);

        Assert.True(wait.IsCompletedSuccessfully);
        Assert.False(await wait);
        Assert.Equal(0, waiters.WaiterCount);
    }

    [Fact]
    public void WaitAsync_NegativeTimeout_Throws()
    {
        var waiters = new FreshnessWaiters(_clock);

        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = waiters.WaitAsync(1, TimeSpan.FromSeconds(-2), CancellationToken.None).AsTask(); });
    }

    [Fact]
    public async Task WaitAsync_Cancelled_ThrowsAndWaiterAndTimerRemoved()
    {
        // Arrange
        var waiters = new FreshnessWaiters(_clock, current: 10);
        using var cancellation = new CancellationTokenSource();
        var wait = waiters.WaitAsync(15, TimeSpan.FromSeconds(3), cancellation.Token).AsTask();

        // Act
        await cancellation.CancelAsync();

        // Assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Guard));
        Assert.Equal(0, waiters.WaiterCount);
        Assert.Equal(0, _clock.ScheduledTimerCount);
    }

    [Fact]
    public async Task WaitAsync_TokenAlreadyCancelled_Throws()
    {
        var waiters = new FreshnessWaiters(_clock, current: 10);

        var wait = waiters.WaitAsync(15, TimeSpan.FromSeconds(3), new CancellationToken(canceled: true));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);
        Assert.Equal(0, waiters.WaiterCount);
    }

    [Fact]
    public async Task WaitAsync_InfiniteTimeout_NoTimerAndWokenByAdvance()
    {
        var waiters = new FreshnessWaiters(_clock, current: 1);
        var wait = waiters.WaitAsync(2, Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();

        _clock.Advance(TimeSpan.FromDays(365));
        var pending = !wait.IsCompleted;
        waiters.Advance(2);

        Assert.True(pending);
        Assert.Equal(0, _clock.ScheduledTimerCount);
        Assert.True(await wait.WaitAsync(Guard));
    }

    [Fact]
    public void Advance_LowerThanCurrent_Ignored()
    {
        var waiters = new FreshnessWaiters(_clock, current: 10);

        waiters.Advance(5);

        Assert.Equal(10, waiters.Current);
    }

    [Fact]
    public async Task Advance_ManyWaiters_WakesExactlyThoseSatisfied()
    {
        // Arrange: thousands of waiters at random versions, some sharing one.
        var random = new Random(7);
        var waiters = new FreshnessWaiters(_clock, current: 0);
        var pending = Enumerable.Range(0, 5000)
            .Select(_ => random.Next(1, 1001))
            .Select(rv => (Version: (long)rv, Task: waiters.WaitAsync(rv, TimeSpan.FromMinutes(1), CancellationToken.None).AsTask()))
            .ToList();
        Assert.Equal(5000, waiters.WaiterCount);

        // Act + Assert: each step wakes the waiters at or below it and no others.
        for (long current = 100; current <= 1000; current += 100)
        {
            waiters.Advance(current);
            var expectedWaiting = pending.Count(p => p.Version > current);
            Assert.Equal(expectedWaiting, waiters.WaiterCount);
            Assert.All(pending, p => Assert.Equal(p.Version <= current, p.Task.IsCompleted));
        }

        var results = await Task.WhenAll(pending.Select(p => p.Task)).WaitAsync(Guard);
        Assert.All(results, Assert.True);
        Assert.Equal(0, waiters.WaiterCount);
        Assert.Equal(0, _clock.ScheduledTimerCount);
    }

    [Fact]
    public async Task Advance_DoesNotRunWaiterContinuationsInline()
    {
        // Arrange: a continuation that asks to run synchronously and blocks until Advance has returned.
        var waiters = new FreshnessWaiters(_clock, current: 0);
        using var advanced = new ManualResetEventSlim();
        var wait = waiters.WaitAsync(5, Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();
        var continuation = wait.ContinueWith(
            _ => advanced.Wait(Guard), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        // Act
        waiters.Advance(5);
        advanced.Set();

        // Assert: run inline, it would have waited out the guard and seen false.
        Assert.True(await continuation.WaitAsync(Guard));
    }

    [Fact]
    public async Task Close_PendingWaiters_ThrowObjectDisposed_LaterWaitsToo()
    {
        // Arrange
        var waiters = new FreshnessWaiters(_clock, current: 10);
        var first = waiters.WaitAsync(11, TimeSpan.FromSeconds(5), CancellationToken.None).AsTask();
        var second = waiters.WaitAsync(12, Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();

        // Act
        waiters.Close();
        waiters.Close();

        // Assert
        await Assert.ThrowsAsync<ObjectDisposedException>(() => first.WaitAsync(Guard));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => second.WaitAsync(Guard));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await waiters.WaitAsync(13, TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.True(await waiters.WaitAsync(10, TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal(0, waiters.WaiterCount);
        Assert.Equal(0, _clock.ScheduledTimerCount);
    }

    [Fact]
    public async Task WaitAsync_ConcurrentWaitersAndAdvances_AllWokenNoneLeft()
    {
        // Arrange: real threads waiting and advancing at once, with the system clock and long timeouts.
        var waiters = new FreshnessWaiters(TimeProvider.System, current: 0);
        const int Waits = 2000;

        // Act
        var waiting = Enumerable.Range(1, Waits)
            .Select(i => Task.Run(() => waiters.WaitAsync(i, TimeSpan.FromMinutes(5), CancellationToken.None).AsTask()))
            .ToArray();
        var advancing = Task.Run(() =>
        {
            for (var rv = 1; rv <= Waits; rv++)
            {
                waiters.Advance(rv);
            }
        });
        await advancing.WaitAsync(Guard);
        var results = await Task.WhenAll(waiting).WaitAsync(Guard);

        // Assert
        Assert.All(results, Assert.True);
        Assert.Equal(0, waiters.WaiterCount);
        Assert.Equal(Waits, waiters.Current);
    }
}
