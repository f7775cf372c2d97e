namespace ApiCache.DevServer.Storage;

/// <summary>
/// The in-memory store's change history, in revision order. Events are addressed by absolute
/// position (how many events were appended before them), so a watch keeps a plain number as its
/// cursor and the log can drop events from the front without moving anyone's cursor. Not
/// thread-safe: the store's lock guards it.
/// </summary>
internal sealed class StoreEventLog
{
    /// <summary>Dropped slots are reclaimed once there are this many and they are half the list.</summary>
    private const int ReclaimThreshold = 1024;

    private readonly List<StoreEvent?> _events = [];
    private long _offset;
    private int _head;

    /// <summary>The position of the oldest event still held.</summary>
    public long Start => _offset + _head;

    /// <summary>The position the next appended event gets.</summary>
    public long End => _offset + _events.Count;

    /// <summary>The event at <paramref name="position"/>, which must be in [<see cref="Start"/>, <see cref="End"/>).</summary>
    public StoreEvent this[long position] => _events[checked((int)(position - _offset))]!;

    /// <summary>Appends an event (its revision is at least that of the last one).</summary>
    public void Append(StoreEvent change) => _events.Add(change);

    /// <summary>The position of the first held event with a revision greater than <paramref name="revision"/> (<see cref="End"/> when none).</summary>
    public long PositionAfter(long revision)
    {
        int low = _head, high = _events.Count;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (_events[middle]!.Revision <= revision)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return _offset + low;
    }

    /// <summary>Drops the oldest held event; slots are reclaimed in bulk, so dropping costs O(1) amortized.</summary>
    public void DropFirst()
    {
        _events[_head] = null;
        _head++;
        if (_head >= ReclaimThreshold && _head >= _events.Count / 2)
        {
            _events.RemoveRange(0, _head);
            _offset += _head;
            _head = 0;
        }
    }
}
