using System.Globalization;

namespace ApiCache.LoadTests;

/// <summary>
/// CPU time (user + system) and memory of a process from <c>/proc/&lt;pid&gt;/stat</c> and
/// <c>/proc/&lt;pid&gt;/status</c> at one moment: two samples around a run give the CPU it used
/// (in cores), VmRSS is the resident set now and VmHWM its peak since the process started.
/// </summary>
internal sealed record ProcessUsage(double CpuSeconds, long RssBytes, long PeakRssBytes, DateTime At)
{
    /// <summary>Clock ticks per second of <c>utime</c>/<c>stime</c> (USER_HZ, 100 on Linux).</summary>
    private const double UserHz = 100;

    /// <summary>Reads the process now; zeros when /proc is not there (not Linux) or the process is gone.</summary>
    public static ProcessUsage Read(int pid)
    {
        var at = DateTime.UtcNow;
        try
        {
            // The command name (field 2) is in parentheses and may hold spaces: fields are counted after its ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / UserHz;
            long rss = 0, peak = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = Kilobytes(line);
                }
            }

            return new ProcessUsage(cpu, rss, peak, at);
        }
        catch (IOException)
        {
            return new ProcessUsage(0, 0, 0, at);
        }
    }

    /// <summary>Mean cores used between <paramref name="before"/> and this sample.</summary>
    public double CoresSince(ProcessUsage before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var seconds = (At - before.At).TotalSeconds;
        return seconds > 0 ? (CpuSeconds - before.CpuSeconds) / seconds : double.NaN;
    }

    private static long Kilobytes(string line) =>
        1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
