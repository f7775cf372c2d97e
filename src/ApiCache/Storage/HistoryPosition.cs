namespace ApiCache.Storage;

/// <summary>
/// A point in a watch cache's history: the sequence of the next event to read, the resource version
/// every earlier event is at or below, and the history's epoch (a position from another epoch is void:
/// the history was reset in between).
/// </summary>
/// <param name="Sequence">The sequence of the next event (see <see cref="EventHistory.NextSequence"/>).</param>
/// <param name="ResourceVersion">The resource version reached at that point.</param>
/// <param name="Epoch">Which history the position belongs to.</param>
internal readonly record struct HistoryPosition(long Sequence, long ResourceVersion, long Epoch);
