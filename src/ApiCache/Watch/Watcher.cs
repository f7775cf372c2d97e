using System.Threading.Channels;

namespace ApiCache.Watch;

/// <summary>
/// One client's watch as the dispatcher sees it: its filter, where it joined the history, and a
/// bounded queue of framed events the dispatcher writes and the request drains to the client. The
/// frames are shared byte arrays (one per event, written to every watcher that gets it), so a queue
/// costs references, not copies. Fields marked dispatcher-owned are touched by the dispatch loop only.
/// </summary>
internal sealed class Watcher : IDisposable
{
    private readonly CancellationTokenSource _abandoned = new();

    /// <summary>Creates a watcher; <paramref name="startResourceVersion"/> is the version it has seen everything up to.</summary>
    public Watcher(WatchFilter filter, bool allowBookmarks, long startResourceVersion, int bufferEvents)
    {
        ArgumentNullException.ThrowIfNull(filter);
        Filter = filter;
        AllowBookmarks = allowBookmarks;
        StartResourceVersion = startResourceVersion;
        LastSentResourceVersion = startResourceVersion;
        Queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(Math.Max(1, bufferEvents))
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Which objects it sees.</summary>
    public WatchFilter Filter { get; }

    /// <summary>The client asked for bookmarks.</summary>
    public bool AllowBookmarks { get; }

    /// <summary>Events at or below this version are not sent (the client has them, or asked for later ones only).</summary>
    public long StartResourceVersion { get; }

    /// <summary>Framed events for the client, written by the dispatcher, completed when the watch ends.</summary>
    public Channel<byte[]> Queue { get; }

    /// <summary>Cancelled when the watcher was closed for not keeping up: the request stops writing and drops the connection.</summary>
    public CancellationToken Abandoned => _abandoned.Token;

    /// <summary>Dispatcher-owned: events with a smaller sequence reached the client before it joined.</summary>
    public long JoinSequence { get; set; }

    /// <summary>Dispatcher-owned: the newest version queued for the client (events or bookmarks); bookmarks go only above it.</summary>
    public long LastSentResourceVersion { get; set; }

    /// <summary>Dispatcher-owned: when the next bookmark is due (a <see cref="TimeProvider"/> timestamp).</summary>
    public long NextBookmarkAt { get; set; }

    /// <summary>Dispatcher-owned: the watcher's slot in the index's list of all watchers (-1 when not indexed).</summary>
    public int Slot { get; set; } = -1;

    /// <summary>Why it ended, once it has.</summary>
    public WatchCloseReason? ClosedBecause { get; private set; }

    /// <summary>Ends the watch: no more events are queued; the request drains what is queued (or, when abandoned, drops the connection).</summary>
    public void Close(WatchCloseReason reason)
    {
        if (ClosedBecause is not null)
        {
            return;
        }

        ClosedBecause = reason;
        Queue.Writer.TryComplete();
        if (reason == WatchCloseReason.Slow)
        {
            try
            {
                _abandoned.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // the request already ended
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _abandoned.Dispose();
}
