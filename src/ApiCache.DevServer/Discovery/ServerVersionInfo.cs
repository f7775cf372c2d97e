using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ApiCache.DevServer.Discovery;

/// <summary>
/// What <c>GET /version</c> reports, with the key set of kube-apiserver 1.34 (fixture
/// 01-discovery-version). The dev server speaks the 1.34 API, so major/minor say 1.34; the
/// build fields describe this .NET build instead of a Go one.
/// </summary>
internal sealed record ServerVersionInfo
{
    /// <summary>Major version, e.g. 1.</summary>
    public string Major { get; init; } = "1";

    /// <summary>Minor version, e.g. 34.</summary>
    public string Minor { get; init; } = "34";

    /// <summary>The major version whose API the server emulates.</summary>
    public string EmulationMajor { get; init; } = "1";

    /// <summary>The minor version whose API the server emulates.</summary>
    public string EmulationMinor { get; init; } = "34";

    /// <summary>The oldest major version the server stays compatible with.</summary>
    public string MinCompatibilityMajor { get; init; } = "1";

    /// <summary>The oldest minor version the server stays compatible with.</summary>
    public string MinCompatibilityMinor { get; init; } = "33";

    /// <summary>The version string clients print, e.g. v1.34.0-apicache-dev.</summary>
    public string GitVersion { get; init; } = "v1.34.0-apicache-dev";

    /// <summary>The source revision of the build, empty when unknown.</summary>
    public string GitCommit { get; init; } = "";

    /// <summary>clean or dirty; empty when unknown.</summary>
    public string GitTreeState { get; init; } = "";

    /// <summary>Build time, RFC 3339 in UTC.</summary>
    public string BuildDate { get; init; } = "1970-01-01T00:00:00Z";

    /// <summary>The runtime (the apiserver names its Go version here).</summary>
    public string GoVersion { get; init; } = "dotnet" + Environment.Version.ToString();

    /// <summary>The compiler (gc for the apiserver).</summary>
    public string Compiler { get; init; } = "roslyn";

    /// <summary>os/arch in Go's spelling, e.g. linux/amd64.</summary>
    public string Platform { get; init; } = CurrentPlatform();

    /// <summary>
    /// This build: the commit comes from the assembly's informational version (<c>1.0.0+sha</c>)
    /// when the SDK stamped one, the build date from the assembly file's time.
    /// </summary>
    public static ServerVersionInfo Current { get; } = FromAssembly(typeof(ServerVersionInfo).Assembly);

    /// <summary>
    /// The body of <c>/version</c>: indented with two spaces and no trailing newline, the way the
    /// apiserver writes it for every client.
    /// </summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = DiscoveryJson.Encoder }))
        {
            json.WriteStartObject();
            json.WriteString("major", Major);
            json.WriteString("minor", Minor);
            json.WriteString("emulationMajor", EmulationMajor);
            json.WriteString("emulationMinor", EmulationMinor);
            json.WriteString("minCompatibilityMajor", MinCompatibilityMajor);
            json.WriteString("minCompatibilityMinor", MinCompatibilityMinor);
            json.WriteString("gitVersion", GitVersion);
            json.WriteString("gitCommit", GitCommit);
            json.WriteString("gitTreeState", GitTreeState);
            json.WriteString("buildDate", BuildDate);
            json.WriteString("goVersion", GoVersion);
            json.WriteString("compiler", Compiler);
            json.WriteString("platform", Platform);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static ServerVersionInfo FromAssembly(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        var commit = plus >= 0 ? informational[(plus + 1)..] : "";
        var buildDate = "1970-01-01T00:00:00Z";
        if (!string.IsNullOrEmpty(assembly.Location) && File.Exists(assembly.Location))
        {
            buildDate = File.GetLastWriteTimeUtc(assembly.Location).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        return new ServerVersionInfo { GitCommit = commit, BuildDate = buildDate };
    }

    private static string CurrentPlatform()
    {
        var os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "darwin" : OperatingSystem.IsWindows() ? "windows" : "unknown";
        var arch = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "amd64",
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "386",
            Architecture.Arm => "arm",
            var other => other.ToString().ToLowerInvariant(),
        };
        return os + "/" + arch;
    }
}
