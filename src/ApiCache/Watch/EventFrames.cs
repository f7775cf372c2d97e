using ApiCache.Storage;

namespace ApiCache.Watch;

/// <summary>
/// The frames of the event being dispatched, built on first need and shared by every watcher that
/// gets the same form of it (at most one ADDED, MODIFIED, DELETED and DELETED-previous frame per
/// event). Reused for each event by the dispatch loop.
/// </summary>
internal sealed class EventFrames
{
    private readonly byte[]?[] _frames = new byte[]?[5];
    private WatchCacheEvent? _event;

    /// <summary>Starts over for <paramref name="e"/>.</summary>
    public void Reset(WatchCacheEvent e)
    {
        _event = e;
        Array.Clear(_frames);
    }

    /// <summary>The frame of the current event in the form <paramref name="delivery"/> names.</summary>
    public byte[] For(EventDelivery delivery, WatchEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ref var frame = ref _frames[(int)delivery];
        if (frame is null)
        {
            var (type, cachedObject) = WatchEncoder.Resolve(delivery, _event!);
            frame = encoder.EncodeEvent(type, cachedObject);
        }

        return frame;
    }
}
