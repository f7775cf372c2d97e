namespace ApiCache.Consistency.Etcd;

/// <summary>Which <see cref="EtcdLookupMode"/> an etcd server version supports.</summary>
internal static class EtcdVersions
{
    /// <summary>
    /// <see cref="EtcdLookupMode.ProgressRequests"/> for 3.4.31+, 3.5.13+ and 3.6+ (and any later
    /// major version); <see cref="EtcdLookupMode.KeyspaceReplay"/> for older or unreadable versions.
    /// </summary>
    /// <param name="version">The member's version from Maintenance.Status, e.g. <c>3.5.17</c>.</param>
    public static EtcdLookupMode ModeFor(string? version)
    {
        if (string.IsNullOrEmpty(version))
        {
            return EtcdLookupMode.KeyspaceReplay;
        }

        // "3.5.17", "v3.6.0-rc.1", "3.4.31+git": the numeric core decides.
        var core = version.TrimStart('v', 'V');
        var end = core.IndexOfAny(['-', '+', ' ']);
        if (end >= 0)
        {
            core = core[..end];
        }

        if (!Version.TryParse(core.Count(c => c == '.') == 1 ? core + ".0" : core, out var parsed))
        {
            return EtcdLookupMode.KeyspaceReplay;
        }

        var ordered = parsed.Major > 3
            || (parsed.Major == 3 && parsed.Minor >= 6)
            || (parsed.Major == 3 && parsed.Minor == 5 && parsed.Build >= 13)
            || (parsed.Major == 3 && parsed.Minor == 4 && parsed.Build >= 31);
        return ordered ? EtcdLookupMode.ProgressRequests : EtcdLookupMode.KeyspaceReplay;
    }
}
