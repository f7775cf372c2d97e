using System.Diagnostics;

namespace ApiCache.LoadTests;

/// <summary>The real sidecar process (Release build), started on a free loopback port.</summary>
internal sealed class SidecarRunner : IAsyncDisposable
{
    private readonly Process _process;
    private long _peakWorkingSet;

    private SidecarRunner(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<SidecarRunner> StartAsync(string repository, Uri upstream)
    {
        var dll = Path.Combine(repository, "src", "ApiCache.Sidecar", "bin", "Release", "net10.0", "ApiCache.Sidecar.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: run 'dotnet build -c Release' first.");
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in new[] { dll, $"--ApiCache:Upstream:Servers:0:Url={upstream}", "--Sidecar:Listen=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning" })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start the sidecar");
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("sidecar: " + e.Data); } };
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            const string prefix = "apicache: serving on ";
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return new SidecarRunner(process, new Uri(line[prefix.Length..]));
            }
        }

        throw new InvalidOperationException("the sidecar exited before it served");
    }

    public double PeakWorkingSetMiB()
    {
        _process.Refresh();
        _peakWorkingSet = Math.Max(_peakWorkingSet, _process.PeakWorkingSet64);
        return _peakWorkingSet / 1024.0 / 1024.0;
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
