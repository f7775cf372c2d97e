using System.Diagnostics;

namespace ApiCache.Tests.Infrastructure;

/// <summary>Stopping the child processes tests start (sidecar, dev server, etcd, kubectl, node).</summary>
internal static class ChildProcess
{
    /// <summary>How long a killed process may take to be reaped.</summary>
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(30);

    /// <summary>Kills the process tree if it still runs and waits (bounded) until <paramref name="exited"/> completes.</summary>
    public static async Task KillAndWaitAsync(Process process, Task exited)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await exited.WaitAsync(ExitDeadline);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }
}
