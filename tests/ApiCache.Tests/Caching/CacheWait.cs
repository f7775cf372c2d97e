using ApiCache.Storage;

namespace ApiCache.Tests.Caching;

/// <summary>
/// Waits for a watch cache without sleeping: each turn takes the cache's next-change task before
/// checking the condition (so no change can slip between the two), bounded in turns and by a
/// generous deadline that only guards against a hang.
/// </summary>
internal static class CacheWait
{
    /// <summary>The hang guard.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private const int MaxTurns = 100_000;

    /// <summary>Returns once <paramref name="condition"/> holds; fails the test when the deadline passes first.</summary>
    public static async Task UntilAsync(WatchCache cache, Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        for (var turn = 0; turn < MaxTurns; turn++)
        {
            var next = cache.NextChangeAsync(deadline.Token);
            if (condition())
            {
                return;
            }

            try
            {
                await next;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                Assert.Fail($"timed out waiting for {what} (cache of {cache.Definition.DisplayName} at resourceVersion {cache.ResourceVersion}, ready={cache.IsReady})");
            }
        }

        Assert.Fail($"gave up waiting for {what} after {MaxTurns} changes");
    }

    /// <summary>Returns once the cache is ready.</summary>
    public static Task UntilReadyAsync(WatchCache cache) => UntilAsync(cache, () => cache.IsReady, "the cache to be ready");

    /// <summary>Returns once the cache has reached <paramref name="resourceVersion"/> (events or bookmarks).</summary>
    public static async Task UntilFreshAsync(WatchCache cache, long resourceVersion)
    {
        var fresh = await cache.WaitUntilFreshAsync(resourceVersion, Deadline, CancellationToken.None);
        Assert.True(fresh, $"the cache of {cache.Definition.DisplayName} did not reach resourceVersion {resourceVersion} (it is at {cache.ResourceVersion})");
    }
}
