using System.Reflection;

namespace ApiCache.Tests.Infrastructure;

/// <summary>Where the repository, the shared fixtures and the built sidecar are.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The recorded kube-apiserver exchanges, in <c>shared/fixtures</c> beside the repository.</summary>
    public static string FixturesDirectory
    {
        get
        {
            var dir = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "fixtures"));
            if (!Directory.Exists(dir))
            {
                throw new InvalidOperationException($"The shared fixtures are missing: expected them at {dir} (shared/ beside the repository).");
            }

            return dir;
        }
    }

    /// <summary>The build configuration these tests were built in (Debug or Release).</summary>
    public static string Configuration { get; } =
        typeof(TestPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The sidecar's entry assembly, built beside the tests (the test project references it).</summary>
    public static string SidecarAssembly => BuiltAssembly("ApiCache.Sidecar");

    /// <summary>The dev API server program's entry assembly (the test project references it).</summary>
    public static string DevServerAssembly => BuiltAssembly("ApiCache.DevServer.Host");

    private static string BuiltAssembly(string project)
    {
        var path = Path.Combine(RepositoryRoot, "src", project, "bin", Configuration, "net10.0", project + ".dll");
        return File.Exists(path) ? path : throw new InvalidOperationException($"{project} is not built: {path} is missing.");
    }

    /// <summary>
    /// A kubectl of the given minor version: the versioned binaries sit beside the link target of
    /// the <c>kubectl</c> on PATH (kubectl.1.27 … kubectl.1.33).
    /// </summary>
    public static string Kubectl(string version)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, "kubectl");
            if (!File.Exists(candidate))
            {
                continue;
            }

            var target = new FileInfo(candidate).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate;
            var versioned = Path.Combine(Path.GetDirectoryName(target)!, "kubectl." + version);
            if (File.Exists(versioned))
            {
                return versioned;
            }
        }

        throw new InvalidOperationException($"kubectl.{version} was not found beside the link target of the kubectl on PATH.");
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ApiCache.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ApiCache.sln not found above " + AppContext.BaseDirectory);
    }
}
