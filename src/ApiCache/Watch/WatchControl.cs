using ApiCache.Storage;

namespace ApiCache.Watch;

/// <summary>A request to the dispatch loop of a resource: a watcher joins, one ends, or all end.</summary>
internal sealed class WatchControl
{
    private WatchControl(WatchControlKind kind, Watcher? watcher, WatchCloseReason reason, bool finalBookmark)
    {
        Kind = kind;
        Watcher = watcher;
        Reason = reason;
        FinalBookmark = finalBookmark;
    }

    /// <summary>What is asked.</summary>
    public WatchControlKind Kind { get; }

    /// <summary>The watcher concerned (null for <see cref="WatchControlKind.CloseAll"/>).</summary>
    public Watcher? Watcher { get; }

    /// <summary>For a join: where in the history the watcher stands (it has sent every event before it).</summary>
    public HistoryPosition From { get; private init; }

    /// <summary>For a join: completed true once the watcher is indexed, false when it cannot join (the history moved under it, or the server stops).</summary>
    public TaskCompletionSource<bool>? Joined { get; private init; }

    /// <summary>For a close: why.</summary>
    public WatchCloseReason Reason { get; }

    /// <summary>For a close: send the watcher a last bookmark first (when it allows them).</summary>
    public bool FinalBookmark { get; }

    /// <summary>The watcher, having sent everything before <paramref name="from"/>, asks to be fed from there.</summary>
    public static WatchControl Join(Watcher watcher, HistoryPosition from) =>
        new(WatchControlKind.Join, watcher, default, false)
        {
            From = from,
            Joined = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously),
        };

    /// <summary>The watcher ends.</summary>
    public static WatchControl Close(Watcher watcher, WatchCloseReason reason, bool finalBookmark) => new(WatchControlKind.Close, watcher, reason, finalBookmark);

    /// <summary>Every watcher ends.</summary>
    public static WatchControl CloseAll(WatchCloseReason reason, bool finalBookmark) => new(WatchControlKind.CloseAll, null, reason, finalBookmark);
}
