using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ApiCache.DevServer.Etcd;

namespace ApiCache.Tests.Infrastructure;

/// <summary>
/// A real single-member etcd process (the <c>etcd</c> on PATH, Debian's etcd-server) on free
/// loopback client and peer ports, with a temporary data directory and progress notifications every
/// second. Started once it answers a status call; killed, and its directory removed, on dispose.
/// </summary>
internal sealed class EtcdServer : IAsyncDisposable
{
    /// <summary>What to do when etcd is missing.</summary>
    public const string InstallHint = "install etcd-server: apt-get install etcd-server";

    /// <summary>How long start-up may take on a busy 2-core machine.</summary>
    public static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    /// <summary>How many lines of etcd's output are kept for failure messages.</summary>
    private const int KeptOutputLines = 200;

    private readonly Process _process;
    private readonly TempDirectory _dataDirectory;
    private readonly Lock _gate = new();
    private readonly Queue<string> _output = new();
    private readonly Task _exited;

    private EtcdServer(string executable, int clientPort, int peerPort)
    {
        ClientUrl = new Uri($"http://127.0.0.1:{clientPort}/");
        _dataDirectory = new TempDirectory();
        DataDirectory = Path.Join(_dataDirectory.Path, "data");
        var peerUrl = $"http://127.0.0.1:{peerPort}";
        var startInfo = new ProcessStartInfo
        {
            FileName = executable,
            WorkingDirectory = _dataDirectory.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in new[]
        {
            "--name=default",
            "--data-dir=" + DataDirectory,
            "--listen-client-urls=" + ClientUrl.AbsoluteUri.TrimEnd('/'),
            "--advertise-client-urls=" + ClientUrl.AbsoluteUri.TrimEnd('/'),
            "--listen-peer-urls=" + peerUrl,
            "--initial-advertise-peer-urls=" + peerUrl,
            "--initial-cluster=default=" + peerUrl,
            "--experimental-watch-progress-notify-interval=1s",
            "--logger=zap",
            "--log-level=warn",
        })
        {
            startInfo.ArgumentList.Add(arg);
        }

        // etcd reads ETCD_* variables as flags: none of the environment's may configure it behind the test's back.
        foreach (var name in startInfo.Environment.Keys.Where(n => n.StartsWith("ETCD", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            startInfo.Environment.Remove(name);
        }

        _process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _exited = _process.WaitForExitAsync();
    }

    /// <summary>The client URL, e.g. http://127.0.0.1:41234/.</summary>
    public Uri ClientUrl { get; }

    /// <summary>The member's data directory (removed on dispose).</summary>
    public string DataDirectory { get; }

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => !_exited.IsCompleted;

    /// <summary>The last lines etcd wrote (stdout and stderr).</summary>
    public string RecentOutput
    {
        get
        {
            lock (_gate)
            {
                return string.Join("\n", _output);
            }
        }
    }

    /// <summary>
    /// The etcd executable: <c>etcd</c> on PATH, else /usr/bin/etcd. Throws
    /// <see cref="FileNotFoundException"/> saying how to install it when there is none.
    /// </summary>
    public static string FindExecutable()
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var candidate in directories.Select(d => Path.Join(d, "etcd")).Append("/usr/bin/etcd"))
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"etcd was not found on PATH nor at /usr/bin/etcd; {InstallHint}");
    }

    /// <summary>
    /// Starts etcd and waits until it answers. Retries with other ports (a few times) when the process
    /// exits early, e.g. because another process took a port between choosing and binding it.
    /// </summary>
    public static async Task<EtcdServer> StartAsync()
    {
        var executable = FindExecutable();
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var server = new EtcdServer(executable, FreePort(), FreePort());
            try
            {
                await server.WaitUntilAnsweringAsync();
                return server;
            }
            catch (EtcdExitedException) when (attempt < attempts)
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Kills the process (if still running), waits for it, and removes the data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await ChildProcess.KillAndWaitAsync(_process, _exited);
        }
        finally
        {
            _process.Dispose();
            _dataDirectory.Dispose();
        }
    }

    /// <summary>A port that was free on 127.0.0.1 a moment ago.</summary>
    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private async Task WaitUntilAnsweringAsync()
    {
        using var client = new EtcdClient(ClientUrl, TimeSpan.FromSeconds(5));
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartDeadline)
        {
            if (_exited.IsCompleted)
            {
                throw new EtcdExitedException($"etcd exited with code {_process.ExitCode} before answering at {ClientUrl}.\n{RecentOutput}");
            }

            try
            {
                await client.StatusAsync(CancellationToken.None);
                return;
            }
            catch (EtcdException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        }

        throw new TimeoutException($"etcd did not answer at {ClientUrl} within {StartDeadline}.\n{RecentOutput}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.Enqueue(line);
            if (_output.Count > KeptOutputLines)
            {
                _output.Dequeue();
            }
        }
    }

    /// <summary>etcd exited during start-up.</summary>
    private sealed class EtcdExitedException(string message) : Exception(message);
}
