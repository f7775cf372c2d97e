namespace ApiCache.Tests.Informers;

/// <summary>Polls a condition that another thread makes true; the timeout only guards against a hang.</summary>
internal static class Eventually
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    public static async Task TrueAsync(Func<bool> condition, Func<string> what)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (started.Elapsed > Deadline)
            {
                Assert.Fail("timed out waiting for " + what());
            }

            await Task.Delay(PollInterval);
        }
    }
}
