using System.Globalization;
using System.Text.RegularExpressions;

namespace ApiCache.DevServer.Discovery;

/// <summary>
/// Orders API versions the way the apiserver lists them (most preferred first): GA before beta
/// before alpha, higher numbers first (v2, v1, v1beta2, v1beta1, v1alpha1), then any version that
/// does not look like a Kubernetes version, alphabetically.
/// </summary>
internal sealed partial class KubeVersionComparer : IComparer<string>
{
    /// <summary>The shared instance.</summary>
    public static KubeVersionComparer Instance { get; } = new();

    /// <inheritdoc />
    public int Compare(string? x, string? y)
    {
        var a = Parse(x ?? "");
        var b = Parse(y ?? "");
        if (a is null || b is null)
        {
            // Kubernetes-like versions first; the rest alphabetically.
            return a is not null ? -1 : b is not null ? 1 : string.CompareOrdinal(x, y);
        }

        var (majorA, stageA, minorA) = a.Value;
        var (majorB, stageB, minorB) = b.Value;
        if (stageA != stageB)
        {
            return stageB.CompareTo(stageA);
        }

        return majorA != majorB ? majorB.CompareTo(majorA) : minorB.CompareTo(minorA);
    }

    /// <summary>(major, stage: 2 GA, 1 beta, 0 alpha, minor) or null.</summary>
    private static (long Major, int Stage, long Minor)? Parse(string version)
    {
        var match = KubeVersion().Match(version);
        if (!match.Success)
        {
            return null;
        }

        var major = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        if (!match.Groups[2].Success)
        {
            return (major, 2, 0);
        }

        var stage = match.Groups[2].Value == "beta" ? 1 : 0;
        return (major, stage, long.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex("^v([1-9][0-9]{0,17})(?:(alpha|beta)([1-9][0-9]{0,17}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex KubeVersion();
}
