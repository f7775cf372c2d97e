using System.Diagnostics;
using System.Text;

namespace ApiCache.Tests.Infrastructure;

/// <summary>What one kubectl run produced.</summary>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="StdoutBytes">Standard output, byte for byte (kubectl get --raw copies bodies there unchanged).</param>
/// <param name="Stderr">Standard error as text.</param>
internal sealed record KubectlResult(int ExitCode, byte[] StdoutBytes, string Stderr)
{
    /// <summary>Standard output as UTF-8 text.</summary>
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    /// <summary>A one-line-per-stream description for assertion messages.</summary>
    public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// Runs a real kubectl of a given minor version (kubectl.1.27 … kubectl.1.33, see
/// <see cref="TestPaths.Kubectl"/>) against a kubeconfig, isolated from the machine: HOME is a
/// per-test directory, the discovery/OpenAPI cache lives in <c>--cache-dir</c> under it, and
/// proxy and KUBE* environment variables are removed. A run that outlives <see cref="Timeout"/>
/// is killed (with its children) and reported as a <see cref="TimeoutException"/>.
/// </summary>
internal sealed class KubectlRunner
{
    /// <summary>Creates a runner of kubectl <paramref name="version"/> (e.g. "1.33") using <paramref name="kubeconfig"/>, with HOME and the cache under <paramref name="home"/>.</summary>
    public KubectlRunner(string version, string kubeconfig, string home)
    {
        Version = version;
        Kubeconfig = kubeconfig;
        Home = home;
        CacheDirectory = Path.Join(home, "kubectl-cache");
    }

    /// <summary>The kubectl minor version, e.g. 1.27.</summary>
    public string Version { get; }

    /// <summary>The kubeconfig passed with <c>--kubeconfig</c>.</summary>
    public string Kubeconfig { get; }

    /// <summary>HOME and working directory of the process.</summary>
    public string Home { get; }

    /// <summary>The discovery and HTTP cache directory passed with <c>--cache-dir</c>.</summary>
    public string CacheDirectory { get; init; }

    /// <summary>
    /// The binary to run; null: <see cref="TestPaths.Kubectl"/>. client-go names itself after its
    /// binary (<c>kubectl.1.33/v1.33.1 ...</c>), so a link named <c>kubectl</c> makes it send
    /// <c>kubectl/v1.33.1 ...</c> as a user's kubectl does.
    /// </summary>
    public string? Executable { get; init; }

    /// <summary>How long one run may take before it is killed (a failure guard, not a measurement).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Writes a kubeconfig whose only cluster is <paramref name="server"/> (scheme, host and port),
    /// optionally with a bearer <paramref name="token"/> (kubectl withholds it from http:// servers)
    /// and a context <paramref name="namespace"/>, and returns its path.
    /// </summary>
    public static string WriteKubeconfig(string directory, Uri server, string? token = null, string? @namespace = null)
    {
        var user = token is null ? "{}" : $"\n    token: {token}";
        var contextNamespace = @namespace is null ? "" : $"\n    namespace: {@namespace}";
        var path = Path.Join(directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: {server.GetLeftPart(UriPartial.Authority)}
            users:
            - name: tester
              user: {user}
            contexts:
            - name: test
              context:
                cluster: test
                user: tester{contextNamespace}
            current-context: test
            """);
        return path;
    }

    /// <summary>Runs kubectl with <paramref name="args"/> (after --kubeconfig and --cache-dir).</summary>
    public Task<KubectlResult> RunAsync(params string[] args) => RunAsync(standardInput: null, args);

    /// <summary>Runs kubectl with <paramref name="args"/>, feeding <paramref name="standardInput"/> (e.g. for <c>-f -</c>) when not null.</summary>
    public async Task<KubectlResult> RunAsync(string? standardInput, IEnumerable<string> args, CancellationToken cancellationToken = default)
    {
        var startInfo = CreateStartInfo(args);
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"kubectl {Version} did not start");
        using var stdout = new MemoryStream();
        var readStdout = process.StandardOutput.BaseStream.CopyToAsync(stdout, cancellationToken);
        var readStderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        try
        {
            await Task.WhenAll(readStdout, readStderr, process.WaitForExitAsync(cancellationToken)).WaitAsync(Timeout, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {Version} {string.Join(' ', startInfo.ArgumentList)} did not finish within {Timeout}.", e);
        }

        return new KubectlResult(process.ExitCode, stdout.ToArray(), await readStderr);
    }

    /// <summary>Starts a long-running kubectl (e.g. <c>get -w</c>) whose output the test reads line by line; disposing kills it.</summary>
    public StreamingProcess Start(params string[] args)
    {
        var process = Process.Start(CreateStartInfo(args)) ?? throw new InvalidOperationException($"kubectl {Version} did not start");
        process.StandardInput.Close();
        return new StreamingProcess(process);
    }

    private ProcessStartInfo CreateStartInfo(IEnumerable<string> args)
    {
        var startInfo = new ProcessStartInfo(Executable ?? TestPaths.Kubectl(Version))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Home,
        };
        startInfo.ArgumentList.Add("--kubeconfig");
        startInfo.ArgumentList.Add(Kubeconfig);
        startInfo.ArgumentList.Add("--cache-dir");
        startInfo.ArgumentList.Add(CacheDirectory);
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

        startInfo.Environment["HOME"] = Home;
        return startInfo;
    }
}
