using System.Diagnostics;

namespace ApiCache.Tests.Throttling;

/// <summary>Waits for an effect another process produces (e.g. a configuration file reload); the deadline only guards against a hang.</summary>
internal static class Poll
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Evaluates <paramref name="condition"/> until it holds; fails the test naming <paramref name="what"/> after the deadline.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, Func<string> what)
    {
        var started = Stopwatch.StartNew();
        while (!await condition())
        {
            if (started.Elapsed > Deadline)
            {
                Assert.Fail($"timed out after {Deadline} waiting for {what()}");
            }

            await Task.Delay(Interval);
        }
    }
}
