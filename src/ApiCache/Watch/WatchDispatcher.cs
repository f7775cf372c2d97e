using System.Threading.Channels;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.Storage;
using Microsoft.Extensions.Logging;

namespace ApiCache.Watch;

/// <summary>
/// Feeds every cache-served watcher of one resource from its watch cache: one loop follows the
/// history by sequence and, for each event, finds the watchers that may care through the
/// <see cref="WatcherIndex"/> (namespace, trigger field such as <c>spec.nodeName</c>), frames the event
/// once per form (<see cref="EventFrames"/>) and queues the same bytes to each. A watcher whose
/// queue is full holds the loop for at most the shared <see cref="DispatchBudget"/>, then is closed.
/// The same loop sends bookmarks (when the resource's version moved past what a watcher was sent),
/// admits joining watchers and ends watchers, so all watcher state has one owner and no locks.
/// </summary>
/// <remarks>
/// A joining watcher has already written the initial state and the history up to some position
/// itself (at its own pace, without holding the loop); the loop queues what it dispatched since
/// then and feeds it from there on. Bookmarks carry the version the loop has dispatched up to, so a
/// bookmark never claims an event the watcher has not been given. If the history is reset or
/// evicted under the loop (the cache outgrew its budget, or was re-listed from an older state),
/// every watcher is closed: its client resumes from its last version or, when that is gone, gets 410
/// and re-lists.
/// </remarks>
internal sealed partial class WatchDispatcher : IAsyncDisposable
{
    private const int ControlsEvery = 256;

    private readonly WatchCache _cache;
    private readonly CachedResourceDefinition _definition;
    private readonly WatchOptions _options;
    private readonly WatchMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<WatchControl> _controls = Channel.CreateUnbounded<WatchControl>(new UnboundedChannelOptions { SingleReader = true });
    private readonly WatcherIndex _index = new();
    private readonly DispatchBudget _budget;
    private readonly List<Watcher> _candidates = [];
    private readonly List<(Watcher Watcher, byte[] Frame, long ResourceVersion, int Type)> _blocked = [];
    private readonly EventFrames _frames = new();
    private readonly long[] _sent = new long[WatchMetrics.TypeLabels.Length];
    private readonly CancellationTokenSource _stopping = new();
    private readonly long _bookmarkTicks;
    private readonly TimeSpan _tick;
    private Task _running = Task.CompletedTask;
    private WatchEncoder? _encoder;
    private byte[]? _bookmark;
    private long _bookmarkVersion = -1;
    private long _next;
    private long _epoch;
    private long _dispatchedVersion;
    private int _watcherCount;
    private int _started;
    private bool _shutDown;

    public WatchDispatcher(ResourceCache resource, WatchOptions options, WatchMetrics metrics, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(options);
        _cache = resource.Cache;
        _definition = resource.Definition;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _budget = new DispatchBudget(options.SlowWatcherBudget, time);
        _bookmarkTicks = (long)(options.BookmarkInterval.TotalSeconds * time.TimestampFrequency);
        _tick = TimeSpan.FromTicks(Math.Clamp(options.BookmarkInterval.Ticks / 4, TimeSpan.FromMilliseconds(20).Ticks, TimeSpan.TicksPerSecond));
    }

    /// <summary>The resource as metrics name it.</summary>
    public string ResourceName => _definition.DisplayName;

    /// <summary>Watchers being fed now.</summary>
    public int WatcherCount => Volatile.Read(ref _watcherCount);

    /// <summary>Starts the loop (once); it begins at the history's current end.</summary>
    public void EnsureStarted()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _running = Task.Run(() => RunAsync(_stopping.Token));
        }
    }

    /// <summary>The encoder for the resource's current list type; null before the first list.</summary>
    public WatchEncoder? Encoder
    {
        get
        {
            var type = _cache.TypeInfo;
            if (type is null)
            {
                return null;
            }

            var encoder = Volatile.Read(ref _encoder);
            if (encoder is null || !ReferenceEquals(encoder.Type, type))
            {
                encoder = new WatchEncoder(_definition, type);
                Volatile.Write(ref _encoder, encoder);
            }

            return encoder;
        }
    }

    /// <summary>
    /// Asks the loop to feed <paramref name="watcher"/> from <paramref name="from"/> on (it has written
    /// everything before itself). True once it is fed; false when it cannot be (the history was reset
    /// or evicted past that position, or the server stops): the watch must end.
    /// </summary>
    public Task<bool> JoinAsync(Watcher watcher, HistoryPosition from)
    {
        var control = WatchControl.Join(watcher, from);
        if (!_controls.Writer.TryWrite(control))
        {
            return Task.FromResult(false);
        }

        return control.Joined!.Task;
    }

    /// <summary>Ends <paramref name="watcher"/> (from the loop, after what is queued; with a last bookmark when asked).</summary>
    public void Close(Watcher watcher, WatchCloseReason reason, bool finalBookmark)
    {
        if (!_controls.Writer.TryWrite(WatchControl.Close(watcher, reason, finalBookmark)))
        {
            watcher.Close(reason);
        }
    }

    /// <summary>Ends every watcher with a last bookmark (graceful shutdown); later joins are refused.</summary>
    public void CloseAll(WatchCloseReason reason)
    {
        _controls.Writer.TryWrite(WatchControl.CloseAll(reason, finalBookmark: true));
    }

    /// <summary>Stops the loop; watchers still open are closed.</summary>
    public async ValueTask DisposeAsync()
    {
        _controls.Writer.TryComplete();
        await _stopping.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var watcher in _index.All.ToArray())
        {
            _index.Remove(watcher);
            watcher.Close(WatchCloseReason.Shutdown);
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var start = _cache.Position;
        (_next, _dispatchedVersion, _epoch) = (start.Sequence, start.ResourceVersion, start.Epoch);
        Task? changed = null;
        Task<bool>? control = null;
        Task? tick = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                changed ??= _cache.NextChangeAsync(cancellationToken);
                await DispatchAvailableAsync();
                if (!ProcessControls())
                {
                    return;
                }

                SendBookmarks();
                FlushCounts();
                control ??= _controls.Reader.WaitToReadAsync(cancellationToken).AsTask();
                tick ??= Task.Delay(_tick, _time, cancellationToken);
                await Task.WhenAny(changed, control, tick);
                changed = changed.IsCompleted ? null : changed;
                if (control.IsCompleted)
                {
                    if (control.IsCompletedSuccessfully && !control.Result)
                    {
                        return; // completed: the hub is stopping
                    }

                    control = null;
                }

                tick = tick.IsCompleted ? null : tick;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Never leave watchers waiting on a loop that died: end them (clients resume) and start over.
                LogLoopFailed(_logger, _definition.DisplayName, e);
                CloseAllWatchers(WatchCloseReason.Overtaken, finalBookmark: false);
                var now = _cache.Position;
                (_next, _dispatchedVersion, _epoch) = (now.Sequence, now.ResourceVersion, now.Epoch);
                changed = control = null;
                tick = null;
            }
        }
    }

    /// <summary>Dispatches every event the history has now, then records that everything up to the cache's version was dispatched.</summary>
    private async ValueTask DispatchAvailableAsync()
    {
        var position = _cache.Position;
        if (position.Epoch != _epoch)
        {
            Resynchronise(position);
            return;
        }

        var encoder = Encoder;
        var count = 0;
        while (_next < position.Sequence)
        {
            if (!_cache.TryReadEvent(_next, out var e))
            {
                Resynchronise(_cache.Position); // evicted under the loop
                return;
            }

            if (_index.Count > 0 && encoder is not null && Dispatch(e, _next, encoder))
            {
                await WaitForBlockedAsync();
            }

            _dispatchedVersion = e.ResourceVersion;
            _next++;
            if (++count % ControlsEvery == 0)
            {
                ProcessControls();
            }
        }

        _dispatchedVersion = Math.Max(_dispatchedVersion, position.ResourceVersion);
    }

    /// <summary>Queues <paramref name="e"/> to every watcher that sees it; true when some queues were full.</summary>
    private bool Dispatch(WatchCacheEvent e, long sequence, WatchEncoder encoder)
    {
        _candidates.Clear();
        _index.Collect(e, _candidates);
        if (_candidates.Count == 0)
        {
            return false;
        }

        _frames.Reset(e);
        foreach (var watcher in _candidates)
        {
            if (sequence < watcher.JoinSequence || e.ResourceVersion <= watcher.StartResourceVersion)
            {
                continue;
            }

            var delivery = watcher.Filter.Classify(e);
            if (delivery == EventDelivery.None)
            {
                continue;
            }

            var frame = _frames.For(delivery, encoder);
            var type = delivery == EventDelivery.DeletedPrevious ? (int)WatchEventType.Deleted : (int)delivery - 1;
            if (watcher.Queue.Writer.TryWrite(frame))
            {
                watcher.LastSentResourceVersion = e.ResourceVersion;
                _sent[type]++;
            }
            else
            {
                _blocked.Add((watcher, frame, e.ResourceVersion, type));
            }
        }

        return _blocked.Count > 0;
    }

    /// <summary>Waits, within the shared budget, for full queues to take their frame; closes the watchers that do not.</summary>
    private async Task WaitForBlockedAsync()
    {
        foreach (var (watcher, frame, version, type) in _blocked)
        {
            if (watcher.ClosedBecause is not null)
            {
                continue;
            }

            var budget = _budget.TakeAll();
            var started = _time.GetTimestamp();
            var queued = false;
            if (budget > TimeSpan.Zero)
            {
                using var timeout = new CancellationTokenSource(budget, _time);
                try
                {
                    while (!queued && await watcher.Queue.Writer.WaitToWriteAsync(timeout.Token))
                    {
                        queued = watcher.Queue.Writer.TryWrite(frame);
                    }
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                }
            }

            _budget.Return(budget - _time.GetElapsedTime(started));
            if (queued)
            {
                watcher.LastSentResourceVersion = version;
                _sent[type]++;
            }
            else
            {
                LogSlowWatcher(_logger, _definition.DisplayName, _options.BufferEvents, _options.SlowWatcherBudget.TotalMilliseconds);
                CloseWatcher(watcher, WatchCloseReason.Slow, finalBookmark: false);
            }
        }

        _blocked.Clear();
    }

    /// <summary>Handles queued joins and closes; false when the hub is stopping (the control channel completed).</summary>
    private bool ProcessControls()
    {
        while (_controls.Reader.TryRead(out var control))
        {
            switch (control.Kind)
            {
                case WatchControlKind.Join:
                    control.Joined!.TrySetResult(Join(control.Watcher!, control.From));
                    break;
                case WatchControlKind.Close:
                    CloseWatcher(control.Watcher!, control.Reason, control.FinalBookmark);
                    break;
                case WatchControlKind.CloseAll:
                    _shutDown = true; // joins that were on their way are refused from now on
                    CloseAllWatchers(control.Reason, control.FinalBookmark);
                    break;
            }
        }

        return !_controls.Reader.Completion.IsCompleted;
    }

    /// <summary>Admits a watcher that has written everything before <paramref name="from"/> itself.</summary>
    private bool Join(Watcher watcher, HistoryPosition from)
    {
        if (watcher.ClosedBecause is not null || _shutDown || _stopping.IsCancellationRequested)
        {
            return false;
        }

        if (from.Epoch != _epoch)
        {
            var position = _cache.Position;
            if (position.Epoch != _epoch)
            {
                Resynchronise(position);
            }

            if (from.Epoch != _epoch)
            {
                return false;
            }
        }

        var encoder = Encoder;
        if (encoder is null)
        {
            return false;
        }

        // What the loop dispatched since the watcher caught up goes to it now, in order.
        for (var sequence = from.Sequence; sequence < _next; sequence++)
        {
            if (!_cache.TryReadEvent(sequence, out var e))
            {
                return false;
            }

            var delivery = e.ResourceVersion <= watcher.StartResourceVersion ? EventDelivery.None : watcher.Filter.Classify(e);
            if (delivery == EventDelivery.None)
            {
                continue;
            }

            var (type, cachedObject) = WatchEncoder.Resolve(delivery, e);
            if (!watcher.Queue.Writer.TryWrite(encoder.EncodeEvent(type, cachedObject)))
            {
                return false;
            }

            watcher.LastSentResourceVersion = e.ResourceVersion;
            _sent[(int)type]++;
        }

        watcher.JoinSequence = Math.Max(from.Sequence, _next);
        watcher.LastSentResourceVersion = Math.Max(watcher.LastSentResourceVersion, from.ResourceVersion);
        var interval = _bookmarkTicks;
        watcher.NextBookmarkAt = _time.GetTimestamp() + (interval / 2) + (long)(Random.Shared.NextDouble() * (interval / 2));
        _index.Add(watcher);
        Interlocked.Increment(ref _watcherCount);
        return true;
    }

    /// <summary>Sends a bookmark to every watcher that allows them, is due and is behind the dispatched version.</summary>
    private void SendBookmarks()
    {
        if (_index.Count == 0)
        {
            return;
        }

        var now = _time.GetTimestamp();
        var all = _index.All;
        for (var i = 0; i < all.Count; i++)
        {
            var watcher = all[i];
            if (!watcher.AllowBookmarks || now < watcher.NextBookmarkAt)
            {
                continue;
            }

            watcher.NextBookmarkAt = now + _bookmarkTicks;
            TrySendBookmark(watcher, orEqual: false);
        }
    }

    /// <summary>Queues a bookmark at the dispatched version when that is past what the watcher has (or equal, for a last one).</summary>
    private void TrySendBookmark(Watcher watcher, bool orEqual)
    {
        var version = _dispatchedVersion;
        var ahead = orEqual ? version >= watcher.LastSentResourceVersion : version > watcher.LastSentResourceVersion;
        if (!ahead || Encoder is not WatchEncoder encoder) // LastSentResourceVersion starts at the watcher's start version
        {
            return;
        }

        if (_bookmarkVersion != version || _bookmark is null)
        {
            _bookmark = encoder.EncodeBookmark(version, initialEventsEnd: false);
            _bookmarkVersion = version;
        }

        if (watcher.Queue.Writer.TryWrite(_bookmark))
        {
            watcher.LastSentResourceVersion = version;
            _sent[WatchMetrics.Bookmark]++;
        }
    }

    private void CloseWatcher(Watcher watcher, WatchCloseReason reason, bool finalBookmark)
    {
        if (watcher.Slot >= 0)
        {
            _index.Remove(watcher);
            Interlocked.Decrement(ref _watcherCount);
            if (finalBookmark && watcher.AllowBookmarks && watcher.ClosedBecause is null)
            {
                TrySendBookmark(watcher, orEqual: reason == WatchCloseReason.Shutdown);
            }
        }

        if (watcher.ClosedBecause is null)
        {
            watcher.Close(reason);
            _metrics.Closed(_definition.DisplayName, reason);
        }
    }

    private void CloseAllWatchers(WatchCloseReason reason, bool finalBookmark)
    {
        var all = _index.All;
        while (all.Count > 0)
        {
            CloseWatcher(all[^1], reason, finalBookmark);
        }
    }

    /// <summary>The history was reset or evicted past the loop: watchers lost events, so they end; the loop restarts at the new end.</summary>
    private void Resynchronise(HistoryPosition position)
    {
        if (_index.Count > 0)
        {
            LogOvertaken(_logger, _definition.DisplayName, _index.Count);
        }

        CloseAllWatchers(WatchCloseReason.Overtaken, finalBookmark: false);
        (_next, _dispatchedVersion, _epoch) = (position.Sequence, position.ResourceVersion, position.Epoch);
    }

    private void FlushCounts()
    {
        for (var type = 0; type < _sent.Length; type++)
        {
            _metrics.Sent(_definition.DisplayName, type, _sent[type]);
            _sent[type] = 0;
        }
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Warning, Message = "Watch of {Resource}: closed a watcher that could not keep up ({Buffer} events queued, {Budget} ms budget spent); its client resumes from its last resourceVersion")]
    private static partial void LogSlowWatcher(ILogger logger, string resource, int buffer, double budget);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Watch of {Resource}: the history was reset under the dispatcher; closing {Count} watchers (they resume, or re-list on 410)")]
    private static partial void LogOvertaken(ILogger logger, string resource, int count);

    [LoggerMessage(EventId = 602, Level = LogLevel.Error, Message = "Watch of {Resource}: the dispatch loop failed; its watchers were closed and it starts over")]
    private static partial void LogLoopFailed(ILogger logger, string resource, Exception exception);
}
