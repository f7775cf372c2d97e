using ApiCache.Storage;
using ApiCache.Tests.Infrastructure;
using static ApiCache.Tests.Storage.History.HistoryObjects;

namespace ApiCache.Tests.Storage.History;

public sealed class EventHistoryTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly FakeClock _clock = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Append_BeforeReset_Throws()
    {
        var history = new EventHistory(10, Hour, _clock);

        Assert.Throws<InvalidOperationException>(() => history.Append(Added("a", 5, _clock)));
        Assert.Equal(-1, history.OldestResourceVersion);
    }

    [Fact]
    public void TryGetEventsSince_BeforeReset_ReturnsFalse()
    {
        var history = new EventHistory(10, Hour, _clock);

        Assert.False(history.TryGetEventsSince(0, []));
        Assert.False(history.TryBuildOverlay(0, out _));
    }

    [Fact]
    public void TryGetEventsSince_AtFloorInsideAndAfter_ReturnsEventsAfterTheVersion()
    {
        // Arrange
        var history = new EventHistory(10, Hour, _clock);
        history.Reset(10);
        var events = new[] { Added("a", 11, _clock), Added("b", 12, _clock), Added("c", 15, _clock) };
        foreach (var e in events)
        {
            history.Append(e);
        }

        // Act
        var atFloor = new List<WatchCacheEvent>();
        var atFloorOk = history.TryGetEventsSince(10, atFloor);
        var between = new List<WatchCacheEvent>();
        var betweenOk = history.TryGetEventsSince(13, between);
        var atLatest = new List<WatchCacheEvent>();
        var atLatestOk = history.TryGetEventsSince(15, atLatest);
        var future = new List<WatchCacheEvent>();
        var futureOk = history.TryGetEventsSince(99, future);

        // Assert
        Assert.True(atFloorOk);
        Assert.Equal(events, atFloor);
        Assert.True(betweenOk);
        Assert.Equal([events[2]], between);
        Assert.True(atLatestOk);
        Assert.Empty(atLatest);
        Assert.True(futureOk);
        Assert.Empty(future);
        Assert.Equal(10, history.OldestResourceVersion);
        Assert.Equal(15, history.LatestResourceVersion);
    }

    [Fact]
    public void TryGetEventsSince_BelowFloor_ReturnsFalseAndAddsNothing()
    {
        var history = new EventHistory(10, Hour, _clock);
        history.Reset(10);
        history.Append(Added("a", 11, _clock));
        var into = new List<WatchCacheEvent>();

        var ok = history.TryGetEventsSince(9, into);

        Assert.False(ok);
        Assert.Empty(into);
    }

    [Fact]
    public void Append_OverMaxEvents_EvictsOldestAndMovesFloorToItsVersion()
    {
        // Arrange
        var history = new EventHistory(3, Hour, _clock);
        history.Reset(10);

        // Act
        for (var rv = 11; rv <= 15; rv++)
        {
            history.Append(Added("o" + rv, rv, _clock));
        }

        // Assert: 11 and 12 are gone, so a watch can resume from 12 (getting 13..15) but not from 11.
        var events = new List<WatchCacheEvent>();
        Assert.Equal(3, history.Count);
        Assert.Equal(12, history.OldestResourceVersion);
        Assert.True(history.TryGetEventsSince(12, events));
        Assert.Equal([13L, 14L, 15L], events.Select(e => e.ResourceVersion));
        Assert.False(history.TryGetEventsSince(11, []));
        Assert.Equal(2, history.OldestSequence);
        Assert.Equal(5, history.NextSequence);
    }

    [Fact]
    public void Append_RingWrapsAndGrows_KeepsOrder()
    {
        // Arrange: more than the initial ring capacity, with evictions wrapping the ring.
        var history = new EventHistory(40, Hour, _clock);
        history.Reset(0);

        // Act
        for (var rv = 1; rv <= 100; rv++)
        {
            history.Append(Added("o" + rv, rv, _clock));
        }

        // Assert
        var events = new List<WatchCacheEvent>();
        Assert.True(history.TryGetEventsSince(60, events));
        Assert.Equal(Enumerable.Range(61, 40).Select(i => (long)i), events.Select(e => e.ResourceVersion));
        Assert.Equal(60, history.OldestResourceVersion);
    }

    [Fact]
    public void Append_EventsOlderThanMaxAge_EvictedOnAppend()
    {
        // Arrange
        var history = new EventHistory(100, TimeSpan.FromMinutes(5), _clock);
        history.Reset(10);
        history.Append(Added("a", 11, _clock));
        _clock.Advance(TimeSpan.FromMinutes(1));
        history.Append(Added("b", 12, _clock));

        // Act: "a" is now 5 minutes and a tick old, "b" 4 minutes and a tick.
        _clock.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromTicks(1));
        history.Append(Added("c", 13, _clock));

        // Assert
        Assert.Equal(2, history.Count);
        Assert.Equal(11, history.OldestResourceVersion);
        Assert.Equal(1, history.OldestSequence);
    }

    [Fact]
    public void TryGetEventsSince_EventsOlderThanMaxAge_EvictedOnRead()
    {
        // Arrange
        var history = new EventHistory(100, TimeSpan.FromMinutes(5), _clock);
        history.Reset(10);
        history.Append(Added("a", 11, _clock));
        history.Append(Added("b", 12, _clock));
        _clock.Advance(TimeSpan.FromMinutes(2));
        history.Append(Added("c", 13, _clock));

        // Act
        _clock.Advance(TimeSpan.FromMinutes(3));
        var exactlyMaxAge = history.TryGetEventsSince(10, []);
        _clock.Advance(TimeSpan.FromTicks(1));
        var events = new List<WatchCacheEvent>();
        var tooOld = history.TryGetEventsSince(10, []);
        var fromFloor = history.TryGetEventsSince(12, events);

        // Assert: an event exactly maxAge old stays; a tick later it goes.
        Assert.True(exactlyMaxAge);
        Assert.False(tooOld);
        Assert.True(fromFloor);
        Assert.Equal([13L], events.Select(e => e.ResourceVersion));
        Assert.Equal(12, history.OldestResourceVersion);
    }

    [Fact]
    public void EvictExpired_AllExpired_EmptiesAndFloorIsNewestVersion()
    {
        var history = new EventHistory(100, TimeSpan.FromMinutes(5), _clock);
        history.Reset(10);
        history.Append(Added("a", 11, _clock));
        history.Append(Added("b", 12, _clock));
        _clock.Advance(TimeSpan.FromMinutes(6));

        history.EvictExpired();

        Assert.Equal(0, history.Count);
        Assert.Equal(12, history.OldestResourceVersion);
        Assert.True(history.TryGetEventsSince(12, []));
        Assert.False(history.TryGetEventsSince(11, []));
    }

    [Fact]
    public void Append_EqualVersions_KeptTogetherAndServedAsOneRevision()
    {
        // Arrange: a re-list's synthetic events share its RV.
        var history = new EventHistory(3, Hour, _clock);
        history.Reset(10);
        history.Append(Added("a", 11, _clock));
        history.Append(Added("b", 20, _clock));
        history.Append(Added("c", 20, _clock));

        // Act
        var since11 = new List<WatchCacheEvent>();
        history.TryGetEventsSince(11, since11);
        history.Append(Added("d", 20, _clock));
        history.Append(Added("e", 21, _clock));
        var since20 = new List<WatchCacheEvent>();
        var since20Ok = history.TryGetEventsSince(20, since20);

        // Assert: once "b" (RV 20) is evicted, RV 11 is too old but 20 still resumes.
        Assert.Equal(["b", "c"], since11.Select(e => e.Object.Name));
        Assert.Equal(20, history.OldestResourceVersion);
        Assert.False(history.TryGetEventsSince(11, []));
        Assert.True(since20Ok);
        Assert.Equal(["e"], since20.Select(e => e.Object.Name));
    }

    [Fact]
    public void Append_VersionDecreases_ThrowsAndKeepsHistory()
    {
        var history = new EventHistory(10, Hour, _clock);
        history.Reset(10);
        history.Append(Added("a", 12, _clock));

        Assert.Throws<ArgumentOutOfRangeException>(() => history.Append(Added("b", 11, _clock)));
        Assert.Equal(1, history.Count);
        Assert.Equal(12, history.LatestResourceVersion);
    }

    [Fact]
    public void Append_AtResetVersion_Throws()
    {
        var history = new EventHistory(10, Hour, _clock);
        history.Reset(10);

        Assert.Throws<ArgumentOutOfRangeException>(() => history.Append(Added("a", 10, _clock)));
        Assert.Equal(0, history.Count);
    }

    [Fact]
    public void Reset_DropsEventsGapsAndBytes_AndOvertakesReaders()
    {
        // Arrange
        var history = new EventHistory(10, Hour, _clock);
        history.Reset(10);
        var a = Added("a", 11, _clock);
        history.Append(a);
        history.Append(Deleted(a.Object, 12, _clock));
        history.MarkGap(12, 20);

        // Act
        history.Reset(5);

        // Assert
        Assert.Equal(0, history.Count);
        Assert.Equal(0, history.Bytes);
        Assert.Equal(5, history.OldestResourceVersion);
        Assert.Equal(2, history.OldestSequence);
        Assert.Equal(2, history.NextSequence);
        Assert.False(history.TryRead(0, out _));
        Assert.True(history.TryGetEventsSince(15, []));
        Assert.False(history.TryGetEventsSince(4, []));
        history.Append(Added("b", 6, _clock));
        Assert.Equal(1, history.Count);
    }

    [Fact]
    public void MarkGap_VersionsBetweenOldAndNewListAreTooOld_OutsideStillWork()
    {
        // Arrange: cache at 12, the watch broke, a re-list at 20 adds "c" and modifies "a".
        var history = new EventHistory(10, Hour, _clock);
        history.Reset(10);
        var a = Added("a", 11, _clock);
        history.Append(a);
        history.Append(Added("b", 12, _clock));
        history.MarkGap(12, 20);
        history.Append(Added("c", 20, _clock));
        history.Append(Modified(a.Object, 20, _clock));

        // Act
        var since11 = new List<WatchCacheEvent>();
        var since11Ok = history.TryGetEventsSince(11, since11);
        var since12 = new List<WatchCacheEvent>();
        var since12Ok = history.TryGetEventsSince(12, since12);

        // Assert
        Assert.True(since11Ok);
        Assert.Equal([12L, 20L, 20L], since11.Select(e => e.ResourceVersion));
        Assert.True(since12Ok);
        Assert.Equal([20L, 20L], since12.Select(e => e.ResourceVersion));
        for (var rv = 13; rv < 20; rv++)
        {
            Assert.False(history.TryGetEventsSince(rv, []), $"RV {rv} lies in the gap");
            Assert.False(history.TryBuildOverlay(rv, out _), $"RV {rv} lies in the gap");
            Assert.False(history.TryGetSequenceAfter(rv, out _), $"RV {rv} lies in the gap");
        }

        Assert.True(history.TryGetEventsSince(20, []));
        Assert.True(history.TryBuildOverlay(12, out var overlay));
        Assert.Equal(2, overlay!.Count);
        Assert.True(overlay.TryGetPast(new ObjectKey("ns", "a"), out var pastA));
        Assert.Same(a.Object, pastA);
        Assert.True(overlay.TryGetPast(new ObjectKey("ns", "c"), out var pastC));
        Assert.Null(pastC);
    }

    [Fact]
    public void Append_BelowGapEnd_Throws()
    {
        var history = new EventHistory(10, Hour, _clock);
        history.Reset(10);
        history.MarkGap(10, 20);

        Assert.Throws<ArgumentOutOfRangeException>(() => history.Append(Added("a", 19, _clock)));
        history.Append(Added("a", 20, _clock));
        Assert.Equal(1, history.Count);
    }

    [Fact]
    public void MarkGap_FromOlderThanNewestEvent_Throws()
    {
        var history = new EventHistory(10, Hour, _clock);
        history.Reset(10);
        history.Append(Added("a", 15, _clock));

        Assert.Throws<ArgumentOutOfRangeException>(() => history.MarkGap(14, 20));
        Assert.Throws<ArgumentOutOfRangeException>(() => history.MarkGap(15, 15));
    }

    [Fact]
    public void MarkGap_AdjacentVersions_NoGap()
    {
        var history = new EventHistory(10, Hour, _clock);
        history.Reset(10);

        history.MarkGap(10, 11);
        history.Append(Added("a", 11, _clock));

        Assert.True(history.TryGetEventsSince(10, []));
        Assert.True(history.TryGetEventsSince(11, []));
    }

    [Fact]
    public void MarkGap_OverlappingGaps_Merge()
    {
        var history = new EventHistory(10, Hour, _clock);
        history.Reset(10);

        history.MarkGap(10, 20);
        history.MarkGap(15, 30);
        history.Append(Added("a", 30, _clock));

        Assert.True(history.TryGetEventsSince(10, []));
        Assert.False(history.TryGetEventsSince(11, []));
        Assert.False(history.TryGetEventsSince(22, []));
        Assert.False(history.TryGetEventsSince(29, []));
        Assert.True(history.TryGetEventsSince(30, []));
    }

    [Fact]
    public void MarkGap_FloorPassesGap_GapForgottenAndVersionsBelowFloorTooOld()
    {
        // Arrange
        var history = new EventHistory(2, Hour, _clock);
        history.Reset(10);
        history.Append(Added("a", 11, _clock));
        history.MarkGap(11, 20);
        history.Append(Added("b", 20, _clock));

        // Act: evicts "a" (floor 11: the gap still matters), then "b" (floor 20: past the gap).
        history.Append(Added("c", 21, _clock));
        var floorInside = history.OldestResourceVersion;
        var at11 = history.TryGetEventsSince(11, []);
        var at15 = history.TryGetEventsSince(15, []);
        history.Append(Added("d", 22, _clock));

        // Assert
        Assert.Equal(11, floorInside);
        Assert.True(at11);
        Assert.False(at15);
        Assert.Equal(20, history.OldestResourceVersion);
        Assert.False(history.TryGetEventsSince(15, []));
        Assert.True(history.TryGetEventsSince(20, []));
    }

    [Fact]
    public void TryRead_FollowsBySequence_AndReportsOvertaken()
    {
        // Arrange
        var history = new EventHistory(3, Hour, _clock);
        history.Reset(10);
        history.Append(Added("a", 11, _clock));
        history.Append(Added("b", 12, _clock));
        Assert.True(history.TryGetSequenceAfter(11, out var cursor));

        // Act: a dispatcher reads what is there, then waits for more.
        var read = new List<string>();
        while (history.TryRead(cursor, out var e))
        {
            read.Add(e.Object.Name);
            cursor++;
        }

        var caughtUp = cursor == history.NextSequence && cursor >= history.OldestSequence;
        for (var rv = 13; rv <= 16; rv++)
        {
            history.Append(Added("o" + rv, rv, _clock));
        }

        // Assert: the next events overtook the cursor (4 appended into a ring of 3).
        Assert.Equal(["b"], read);
        Assert.True(caughtUp);
        Assert.False(history.TryRead(cursor, out _));
        Assert.True(cursor < history.OldestSequence);
        Assert.True(history.TryRead(history.OldestSequence, out var oldest));
        Assert.Equal(14, oldest.ResourceVersion);
    }

    [Fact]
    public void TryGetSequenceAfter_MatchesTryGetEventsSince()
    {
        var history = new EventHistory(10, Hour, _clock);
        history.Reset(10);
        history.Append(Added("a", 11, _clock));
        history.Append(Added("b", 13, _clock));
        history.Append(Added("c", 13, _clock));

        Assert.True(history.TryGetSequenceAfter(10, out var after10));
        Assert.True(history.TryGetSequenceAfter(12, out var after12));
        Assert.True(history.TryGetSequenceAfter(13, out var after13));
        Assert.False(history.TryGetSequenceAfter(9, out _));

        Assert.Equal((0L, 1L, 3L), (after10, after12, after13));
        Assert.Equal(3, history.NextSequence);
    }

    [Fact]
    public void Bytes_CountsReplacedAndDeletedObjects_AndShrinksOnEviction()
    {
        // Arrange
        var history = new EventHistory(2, Hour, _clock);
        history.Reset(10);
        var added = Added("a", 11, _clock);
        var modified = Modified(added.Object, 12, _clock);
        var deleted = Deleted(modified.Object, 13, _clock);

        // Act
        history.Append(added);
        var afterAdd = history.Bytes;
        history.Append(modified);
        var afterModify = history.Bytes;
        history.Append(deleted); // evicts the ADDED
        var afterDelete = history.Bytes;
        history.Append(Added("b", 14, _clock)); // evicts the MODIFIED

        // Assert
        Assert.Equal(0, afterAdd);
        Assert.Equal(added.Object.SizeInBytes, afterModify);
        Assert.Equal(added.Object.SizeInBytes + modified.Object.SizeInBytes + deleted.Object.SizeInBytes, afterDelete);
        Assert.Equal(modified.Object.SizeInBytes + deleted.Object.SizeInBytes, history.Bytes);
    }

    [Fact]
    public void TryBuildOverlay_FirstChangeAfterVersionWins()
    {
        // Arrange: "a" modified twice after 11, "b" added then deleted after 11, "c" untouched since.
        var history = new EventHistory(10, Hour, _clock);
        history.Reset(10);
        var a = Added("a", 11, _clock);
        var c = Added("c", 11, _clock);
        history.Append(a);
        history.Append(c);
        var a2 = Modified(a.Object, 12, _clock);
        history.Append(a2);
        var b = Added("b", 13, _clock);
        history.Append(b);
        history.Append(Modified(a2.Object, 14, _clock));
        history.Append(Deleted(b.Object, 15, _clock));

        // Act
        Assert.True(history.TryBuildOverlay(11, out var overlay));
        Assert.True(history.TryBuildOverlay(15, out var current));

        // Assert
        Assert.Equal(11, overlay!.ResourceVersion);
        Assert.Equal([new ObjectKey("ns", "a"), new ObjectKey("ns", "b")], overlay.Entries.Select(x => x.Key));
        Assert.True(overlay.TryGetPast(new ObjectKey("ns", "a"), out var pastA));
        Assert.Same(a.Object, pastA);
        Assert.True(overlay.TryGetPast(new ObjectKey("ns", "b"), out var pastB));
        Assert.Null(pastB);
        Assert.False(overlay.TryGetPast(new ObjectKey("ns", "c"), out _));
        Assert.Equal(0, current!.Count);
        Assert.False(history.TryBuildOverlay(9, out var none));
        Assert.Null(none);
    }
}
