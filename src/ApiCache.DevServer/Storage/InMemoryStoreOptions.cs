namespace ApiCache.DevServer.Storage;

/// <summary>Settings of an <see cref="InMemoryRevisionedStore"/>.</summary>
internal sealed record InMemoryStoreOptions
{
    /// <summary>
    /// How many revisions stay readable (the current one included) before older ones are compacted
    /// automatically after a write; 0 keeps every revision until <see cref="IRevisionedStore.CompactAsync"/>.
    /// Bounds the memory of the change history, which every watch reads from.
    /// </summary>
    public int HistoryWindow { get; init; } = 10_000;

    /// <summary>The least time between two <see cref="StoreEventType.Progress"/> events of one watch.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The clock of progress events.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
