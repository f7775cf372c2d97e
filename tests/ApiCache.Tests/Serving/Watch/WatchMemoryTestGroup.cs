namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// Tests that measure the test process's managed memory: they run alone, after the parallel tests,
/// so no other test's allocations land in their measurements.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WatchMemoryTestGroup
{
    /// <summary>The collection's name.</summary>
    public const string Name = "watch memory";
}
