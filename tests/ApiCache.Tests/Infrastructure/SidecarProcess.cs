using System.Diagnostics;
using System.Text;

namespace ApiCache.Tests.Infrastructure;

/// <summary>
/// The real sidecar (<c>dotnet ApiCache.Sidecar.dll args...</c>) as a child process, run in an empty
/// temporary working directory so that no stray appsettings.json is picked up. Its stdout and stderr
/// are read asynchronously into line lists; start-up is done once it printed its
/// <c>apicache: serving on URL</c> lines. Unless the arguments or files configure
/// <c>ApiCache:Security</c>, the sidecar runs in trusted mode (<see cref="TrustedMode"/>): most tests
/// proxy to upstreams that have no credentials for it and send no credentials themselves.
/// </summary>
internal sealed class SidecarProcess : IAsyncDisposable
{
    /// <summary>The prefix of the line the sidecar prints for each address it serves on.</summary>
    public const string ServingPrefix = "apicache: serving on ";

    /// <summary>The argument that turns caller authentication off, added unless a test configures <c>ApiCache:Security</c> itself.</summary>
    public const string TrustedMode = "--ApiCache:Security:Mode=Trusted";

    /// <summary>How long start-up may take on a busy 2-core machine.</summary>
    public static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    /// <summary>Environment variables of the test run that would configure the child behind the test's back.</summary>
    private static readonly string[] InheritedConfigurationPrefixes = ["ApiCache__", "Sidecar__", "ASPNETCORE_", "DOTNET_URLS", "Logging__"];

    private readonly Process _process;
    private readonly TempDirectory _workingDirectory;
    private readonly Lock _gate = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly List<Uri> _addresses = [];
    private readonly TaskCompletionSource _addressesSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _expectedAddresses;
    private readonly Task _exited;
    private readonly string _servingPrefix;

    private SidecarProcess(
        IReadOnlyList<string> args,
        int expectedAddresses,
        string? assembly = null,
        string servingPrefix = ServingPrefix,
        IReadOnlyDictionary<string, string>? files = null,
        bool trustedByDefault = true)
    {
        _expectedAddresses = expectedAddresses;
        _servingPrefix = servingPrefix;
        _workingDirectory = new TempDirectory();
        foreach (var (name, content) in files ?? new Dictionary<string, string>())
        {
            _workingDirectory.Write(name, content);
        }

        if (assembly is null && trustedByDefault && !ConfiguresSecurity(args, files))
        {
            args = [.. args, TrustedMode];
        }

        _process = new Process { StartInfo = CreateStartInfo(assembly ?? TestPaths.SidecarAssembly, args, _workingDirectory.Path), EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnStdout(e.Data);
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_gate)
                {
                    _stderr.Add(e.Data);
                }
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // With asynchronous reading, WaitForExitAsync also waits for both streams to reach their end,
        // so once it completes every line is in the lists.
        _exited = _process.WaitForExitAsync();
    }

    /// <summary>The first plain-HTTP address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address
    {
        get
        {
            lock (_gate)
            {
                return _addresses.FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttp)
                    ?? throw new InvalidOperationException("The sidecar serves no plain-HTTP address: " + string.Join(", ", _addresses));
            }
        }
    }

    /// <summary>The first HTTPS address, if the sidecar serves one.</summary>
    public Uri? HttpsAddress
    {
        get
        {
            lock (_gate)
            {
                return _addresses.FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttps);
            }
        }
    }

    /// <summary>The process's working directory (its appsettings.json, if a test gave it one, lives there).</summary>
    public string WorkingDirectory => _workingDirectory.Path;

    /// <summary>Everything the process wrote to stdout so far, one entry per line.</summary>
    public IReadOnlyList<string> StandardOutputLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _stdout];
            }
        }
    }

    /// <summary>Everything the process wrote to stderr so far.</summary>
    public string StandardError
    {
        get
        {
            lock (_gate)
            {
                return string.Join("\n", _stderr);
            }
        }
    }

    /// <summary>
    /// Starts the sidecar and waits until it printed <paramref name="expectedAddresses"/> serving lines
    /// (one per configured listener). Throws with the process's stderr if it exits first.
    /// </summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="expectedAddresses">How many serving lines to wait for.</param>
    /// <param name="files">Files (name relative to the working directory, content) written before the start, e.g. an appsettings.json.</param>
    /// <param name="trustedByDefault">False: no <see cref="TrustedMode"/> is added, so the sidecar's own default applies (tests of that default).</param>
    public static Task<SidecarProcess> StartAsync(
        IReadOnlyList<string> args,
        int expectedAddresses = 1,
        IReadOnlyDictionary<string, string>? files = null,
        bool trustedByDefault = true) =>
        StartAsync(new SidecarProcess(args, expectedAddresses, files: files, trustedByDefault: trustedByDefault), expectedAddresses);

    /// <summary>Starts the dev API server program (<c>ApiCache.DevServer.Host</c>) the same way; it prints <c>devserver: serving on URL</c>.</summary>
    public static Task<SidecarProcess> StartDevServerAsync(IReadOnlyList<string> args) =>
        StartAsync(new SidecarProcess(args, 1, TestPaths.DevServerAssembly, "devserver: serving on "), 1);

    private static async Task<SidecarProcess> StartAsync(SidecarProcess sidecar, int expectedAddresses)
    {
        try
        {
            var first = await Task.WhenAny(sidecar._addressesSeen.Task, sidecar._exited).WaitAsync(StartDeadline);
            if (first != sidecar._addressesSeen.Task)
            {
                throw new InvalidOperationException(
                    $"The sidecar exited with code {sidecar._process.ExitCode} before serving.\nstderr:\n{sidecar.StandardError}\nstdout:\n{string.Join("\n", sidecar.StandardOutputLines)}");
            }

            return sidecar;
        }
        catch (TimeoutException e)
        {
            await sidecar.DisposeAsync();
            throw new TimeoutException(
                $"The sidecar did not print {expectedAddresses} '{sidecar._servingPrefix}' line(s) within {StartDeadline}.\nstderr:\n{sidecar.StandardError}\nstdout:\n{string.Join("\n", sidecar.StandardOutputLines)}", e);
        }
        catch
        {
            await sidecar.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs the sidecar until it exits by itself (bad configuration), killing it after <paramref name="deadline"/>.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(
        IReadOnlyList<string> args,
        TimeSpan deadline,
        IReadOnlyDictionary<string, string>? files = null,
        bool trustedByDefault = true)
    {
        await using var sidecar = new SidecarProcess(args, expectedAddresses: int.MaxValue, files: files, trustedByDefault: trustedByDefault);
        int exitCode;
        try
        {
            exitCode = await sidecar.WaitForExitAsync(deadline);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(
                $"The sidecar was expected to exit but still ran after {deadline}.\nstdout:\n{string.Join("\n", sidecar.StandardOutputLines)}\nstderr:\n{sidecar.StandardError}", e);
        }

        return (exitCode, string.Join("\n", sidecar.StandardOutputLines), sidecar.StandardError);
    }

    /// <summary>Waits for the process to exit by itself and returns its exit code; throws <see cref="TimeoutException"/> after <paramref name="deadline"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan deadline)
    {
        await _exited.WaitAsync(deadline);
        return _process.ExitCode;
    }

    /// <summary>The process id (load runs read its CPU time and memory from /proc).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The process's peak working set so far, in bytes (load runs report it).</summary>
    public long PeakWorkingSetBytes
    {
        get
        {
            _process.Refresh();
            return _process.PeakWorkingSet64;
        }
    }

    /// <summary>The process's working set now, in bytes.</summary>
    public long WorkingSetBytes
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    /// <summary>Kills the process tree (if still running), waits for it, and removes the working directory.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await ChildProcess.KillAndWaitAsync(_process, _exited);
        }
        finally
        {
            _process.Dispose();
            _workingDirectory.Dispose();
        }
    }

    /// <summary>Whether the test configures ApiCache's security itself (an argument, or a settings file that mentions it).</summary>
    private static bool ConfiguresSecurity(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? files) =>
        args.Any(a => a.Contains("ApiCache:Security", StringComparison.OrdinalIgnoreCase) || a.Contains("ApiCache__Security", StringComparison.OrdinalIgnoreCase))
        || (files ?? new Dictionary<string, string>()).Values.Any(content => content.Contains("\"Security\"", StringComparison.Ordinal));

    private static ProcessStartInfo CreateStartInfo(string assembly, IReadOnlyList<string> args, string workingDirectory)
    {
        var startInfo = new ProcessStartInfo
        {
            // The dotnet CLI tells the processes it starts (test hosts included) where its host is.
            FileName = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet",
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(assembly);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        foreach (var name in startInfo.Environment.Keys.ToArray())
        {
            if (InheritedConfigurationPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            {
                startInfo.Environment.Remove(name);
            }
        }

        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Production";
        return startInfo;
    }

    private void OnStdout(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _stdout.Add(line);
            if (!line.StartsWith(_servingPrefix, StringComparison.Ordinal))
            {
                return;
            }

            _addresses.Add(new Uri(line[_servingPrefix.Length..].Trim()));
            if (_addresses.Count >= _expectedAddresses)
            {
                _addressesSeen.TrySetResult();
            }
        }
    }
}
