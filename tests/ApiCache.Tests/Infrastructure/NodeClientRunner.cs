using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;

namespace ApiCache.Tests.Infrastructure;

/// <summary>
/// One running script of <c>tests/ApiCache.Tests/Clients/node</c> (the official Kubernetes
/// JavaScript client, pinned in its package-lock.json): its standard output arrives line by line
/// for the test to wait on, standard error is kept for failure messages, and the process is killed
/// (with its children) after <see cref="StartAsync"/>'s timeout or on dispose. The folder's
/// node_modules is installed with <c>npm ci</c> first when it is missing or older than the lock
/// file, once per test run and under a machine-wide lock, so parallel tests and runs do not race.
/// </summary>
internal sealed class NodeClientRunner : IAsyncDisposable
{
    private const string StampName = ".apicache-install-stamp";
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static string? _installedStamp;

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _seen = [];
    private readonly Task _readStdout;
    private readonly Task _readStderr;
    private readonly CancellationTokenSource _deadline;
    private volatile bool _timedOut;

    private NodeClientRunner(Process process, string description, TimeSpan timeout)
    {
        _process = process;
        Description = description;
        _readStdout = PumpStdoutAsync();
        _readStderr = PumpStderrAsync();
        _deadline = new CancellationTokenSource(timeout);
        _deadline.Token.Register(() =>
        {
            _timedOut = true;
            Kill();
        });
    }

    /// <summary>The folder of the JavaScript side: package.json, package-lock.json and the scripts.</summary>
    public static string ScriptDirectory => Path.Join(TestPaths.RepositoryRoot, "tests", "ApiCache.Tests", "Clients", "node");

    /// <summary>The command line, for failure messages.</summary>
    public string Description { get; }

    /// <summary>
    /// Installs the folder's packages if needed, then starts <c>node <paramref name="script"/> <paramref name="args"/></c>
    /// in it, without proxy or KUBE* environment variables; the process is killed after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<NodeClientRunner> StartAsync(string script, IEnumerable<string> args, TimeSpan timeout)
    {
        await EnsureInstalledAsync();
        var startInfo = NewStartInfo("node");
        startInfo.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        foreach (var name in startInfo.Environment.Keys.ToArray())
        {
            if (name.Contains("proxy", StringComparison.OrdinalIgnoreCase) || name.StartsWith("KUBE", StringComparison.Ordinal))
            {
                startInfo.Environment.Remove(name);
            }
        }

        var description = "node " + string.Join(' ', startInfo.ArgumentList);
        return new NodeClientRunner(StartProcess(startInfo, description), description, timeout);
    }

    /// <summary>
    /// The next line the script prints, waiting at most <paramref name="timeout"/> (a failure
    /// guard); fails with what the script printed if it ends or the wait runs out first.
    /// </summary>
    public async Task<string> NextLineAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            if (await _lines.Reader.WaitToReadAsync(wait.Token) && _lines.Reader.TryRead(out var line))
            {
                _seen.Add(line);
                return line;
            }
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested)
        {
            throw new TimeoutException($"{Description} printed no new line within {timeout}.\n{Report()}");
        }

        var exitCode = await WaitForExitAsync();
        var killed = _timedOut ? " (killed at its timeout)" : "";
        throw new InvalidOperationException($"{Description} exited with code {exitCode}{killed} before printing another line.\n{Report()}");
    }

    /// <summary>Waits for the script to end (it is killed at its timeout) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync();
        await Task.WhenAll(_readStdout, _readStderr);
        return _process.ExitCode;
    }

    /// <summary>What the script printed so far, for assertion messages.</summary>
    public string Report()
    {
        lock (_stderr)
        {
            return $"stdout lines read:\n{string.Join('\n', _seen)}\nstderr:\n{_stderr}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await WaitForExitAsync();
        _deadline.Dispose();
        _process.Dispose();
    }

    /// <summary>
    /// Runs <c>npm ci</c> in <see cref="ScriptDirectory"/> unless node_modules carries the stamp of the
    /// current package.json and package-lock.json; a failure says why the Node client tests cannot run.
    /// </summary>
    private static async Task EnsureInstalledAsync()
    {
        var stamp = ComputeStamp();
        await InstallGate.WaitAsync();
        try
        {
            if (_installedStamp == stamp)
            {
                return;
            }

            var lockPath = Path.Join(Path.GetTempPath(), $"apicache-npm-{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ScriptDirectory)))[..16]}.lock");
            using var machineLock = await AcquireFileLockAsync(lockPath, InstallTimeout);
            var stampPath = Path.Join(ScriptDirectory, "node_modules", StampName);
            if (!File.Exists(stampPath) || await File.ReadAllTextAsync(stampPath) != stamp)
            {
                await RunNpmCiAsync();
                await File.WriteAllTextAsync(stampPath, stamp);
            }

            _installedStamp = stamp;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task RunNpmCiAsync()
    {
        var startInfo = NewStartInfo("npm");
        foreach (var arg in new[] { "ci", "--no-audit", "--no-fund" })
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = StartProcess(startInfo, "npm ci");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(InstallTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new InvalidOperationException($"npm ci in {ScriptDirectory} did not finish within {InstallTimeout}; the Node client tests need the npm registry.\n{await stdout}\n{await stderr}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci in {ScriptDirectory} failed with exit code {process.ExitCode}; the Node client tests need node, npm and the npm registry.\nstdout:\n{await stdout}\nstderr:\n{await stderr}");
        }
    }

    private static ProcessStartInfo NewStartInfo(string program) => new(program)
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        RedirectStandardInput = true,
        UseShellExecute = false,
        WorkingDirectory = ScriptDirectory,
    };

    private static Process StartProcess(ProcessStartInfo startInfo, string description)
    {
        Process? process;
        try
        {
            process = Process.Start(startInfo);
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start {description}: is {startInfo.FileName} installed and on PATH? The Node client tests need node and npm.", e);
        }

        if (process is null)
        {
            throw new InvalidOperationException($"{description} did not start.");
        }

        process.StandardInput.Close();
        return process;
    }

    /// <summary>The hash of package.json and package-lock.json that a finished install records in node_modules.</summary>
    private static string ComputeStamp()
    {
        var lockFile = Path.Join(ScriptDirectory, "package-lock.json");
        if (!File.Exists(lockFile))
        {
            throw new InvalidOperationException($"{lockFile} is missing: the Node client tests need the committed lock file.");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(File.ReadAllBytes(Path.Join(ScriptDirectory, "package.json")));
        hash.AppendData(File.ReadAllBytes(lockFile));
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>How often a waiting test retries the machine-wide install lock (bounded by the caller's timeout).</summary>
    private static readonly TimeSpan LockPollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>An exclusive lock on <paramref name="path"/> shared by every process on the machine, waited for at most <paramref name="timeout"/>.</summary>
    private static async Task<FileStream> AcquireFileLockAsync(string path, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (stopwatch.Elapsed < timeout)
            {
                await Task.Delay(LockPollInterval);
            }
        }
    }

    private async Task PumpStdoutAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                _lines.Writer.TryWrite(line);
            }
        }
        finally
        {
            _lines.Writer.TryComplete();
        }
    }

    private async Task PumpStderrAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_stderr)
            {
                _stderr.AppendLine(line);
            }
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }
}
