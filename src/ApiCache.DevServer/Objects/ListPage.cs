namespace ApiCache.DevServer.Objects;

/// <summary>One page of a list.</summary>
/// <param name="Items">The objects, in key order.</param>
/// <param name="Revision">The revision the page was read at.</param>
/// <param name="LastKey">When more objects follow: the last returned key relative to the collection prefix (the continue token starts after it).</param>
/// <param name="RemainingItemCount">How many objects follow, when known (only without a filter).</param>
internal sealed record ListPage(IReadOnlyList<StoredObject> Items, long Revision, string? LastKey, long? RemainingItemCount);
