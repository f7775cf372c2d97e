using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Storage.History;

public sealed class FakeClockTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Advance_MovesUtcNowAndTimestampTogether()
    {
        // Arrange
        var clock = new FakeClock(Start);
        var before = clock.GetTimestamp();

        // Act
        clock.Advance(TimeSpan.FromSeconds(90));

        // Assert
        Assert.Equal(Start + TimeSpan.FromSeconds(90), clock.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(90), clock.GetElapsedTime(before));
        Assert.Equal(TimeSpan.FromSeconds(90), clock.GetElapsedTime(before, clock.GetTimestamp()));
    }

    [Fact]
    public void Constructor_Default_StartsAtYear2000Utc()
    {
        Assert.Equal(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), new FakeClock().GetUtcNow());
    }

    [Fact]
    public void SetUtcNow_Backwards_Throws()
    {
        var clock = new FakeClock(Start);

        Assert.Throws<ArgumentOutOfRangeException>(() => clock.SetUtcNow(Start - TimeSpan.FromTicks(1)));
        Assert.Equal(Start, clock.GetUtcNow());
    }

    [Fact]
    public void CreateTimer_OneShot_FiresOnceWhenAdvancePassesDueTime()
    {
        // Arrange
        var clock = new FakeClock(Start);
        var fired = new List<DateTimeOffset>();
        using var timer = clock.CreateTimer(_ => fired.Add(clock.GetUtcNow()), null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);

        // Act
        clock.Advance(TimeSpan.FromSeconds(9));
        var beforeDue = fired.Count;
        clock.Advance(TimeSpan.FromSeconds(5));
        clock.Advance(TimeSpan.FromSeconds(60));

        // Assert: fired once, seeing its own due time, and the clock ended at the target.
        Assert.Equal(0, beforeDue);
        Assert.Equal([Start + TimeSpan.FromSeconds(10)], fired);
        Assert.Equal(Start + TimeSpan.FromSeconds(74), clock.GetUtcNow());
        Assert.Equal(0, clock.ScheduledTimerCount);
    }

    [Fact]
    public void CreateTimer_Periodic_FiresOncePerPeriodPassed()
    {
        // Arrange
        var clock = new FakeClock(Start);
        var fired = new List<TimeSpan>();
        using var timer = clock.CreateTimer(_ => fired.Add(clock.GetUtcNow() - Start), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        // Act
        clock.Advance(TimeSpan.FromSeconds(6));

        // Assert
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5)], fired);
    }

    [Fact]
    public void Advance_SeveralTimers_FireInDueTimeOrderThenCreationOrder()
    {
        // Arrange
        var clock = new FakeClock(Start);
        var fired = new List<string>();
        using var late = clock.CreateTimer(_ => fired.Add("late"), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var periodic = clock.CreateTimer(_ => fired.Add("periodic"), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
        using var early = clock.CreateTimer(_ => fired.Add("early"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using var tie = clock.CreateTimer(_ => fired.Add("tie"), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);

        // Act
        clock.Advance(TimeSpan.FromSeconds(4));

        // Assert
        Assert.Equal(["early", "periodic", "late", "tie", "periodic"], fired);
    }

    [Fact]
    public void Change_Reschedules_AndInfiniteDueTimeStops()
    {
        // Arrange
        var clock = new FakeClock(Start);
        var fired = 0;
        using var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        // Act
        var changed = timer.Change(TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
        clock.Advance(TimeSpan.FromSeconds(4));
        var afterFour = fired;
        clock.Advance(TimeSpan.FromSeconds(1));
        var afterFive = fired;
        timer.Change(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        clock.Advance(TimeSpan.FromSeconds(10));

        // Assert
        Assert.True(changed);
        Assert.Equal(0, afterFour);
        Assert.Equal(1, afterFive);
        Assert.Equal(1, fired);
        Assert.Equal(0, clock.ScheduledTimerCount);
    }

    [Fact]
    public void Dispose_StopsTimer_AndChangeReturnsFalse()
    {
        // Arrange
        var clock = new FakeClock(Start);
        var fired = 0;
        var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        // Act
        clock.Advance(TimeSpan.FromSeconds(1));
        timer.Dispose();
        clock.Advance(TimeSpan.FromSeconds(10));

        // Assert
        Assert.Equal(1, fired);
        Assert.False(timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        Assert.Equal(0, clock.ScheduledTimerCount);
    }

    [Fact]
    public void Callback_DisposesItsOwnPeriodicTimer_StopsFiring()
    {
        // Arrange
        var clock = new FakeClock(Start);
        var fired = 0;
        ITimer? timer = null;
        timer = clock.CreateTimer(_ =>
        {
            fired++;
            timer!.Dispose();
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        // Act
        clock.Advance(TimeSpan.FromSeconds(5));

        // Assert
        Assert.Equal(1, fired);
    }

    [Fact]
    public void CreateTimer_ZeroDueTime_FiresAtOnce()
    {
        var clock = new FakeClock(Start);
        var fired = 0;

        using var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);

        Assert.Equal(1, fired);
        Assert.Equal(0, clock.ScheduledTimerCount);
    }

    [Fact]
    public async Task Delay_CompletesOnlyAfterAdvance()
    {
        // Arrange
        var clock = new FakeClock(Start);
        var delay = Task.Delay(TimeSpan.FromMinutes(1), clock);

        // Act
        clock.Advance(TimeSpan.FromSeconds(59));
        var completedEarly = delay.IsCompleted;
        clock.Advance(TimeSpan.FromSeconds(1));

        // Assert
        Assert.False(completedEarly);
        await delay.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void CancellationTokenSource_WithFakeClock_CancelsWhenAdvancedPastTimeout()
    {
        // Arrange
        var clock = new FakeClock(Start);
        using var source = new CancellationTokenSource(TimeSpan.FromSeconds(5), clock);

        // Act
        clock.Advance(TimeSpan.FromSeconds(4));
        var early = source.IsCancellationRequested;
        clock.Advance(TimeSpan.FromSeconds(1));

        // Assert
        Assert.False(early);
        Assert.True(source.IsCancellationRequested);
    }
}
