using ApiCache.Configuration;

namespace ApiCache.Sidecar;

/// <summary>
/// The sidecar's rules for <c>ApiCache:Security:Mode</c>: Trusted (no authentication or
/// authorization of callers) only when every listener is loopback, and Trusted by default when
/// the built-in dev API server stands in for a cluster, so that the README's quick start works
/// without credentials.
/// </summary>
internal static class SidecarSecurity
{
    /// <summary>The configuration key of the security mode.</summary>
    public const string ModeKey = "ApiCache:Security:Mode";

    /// <summary>The configuration key of the client CA ApiCache verifies client certificates against.</summary>
    public const string ClientCaFileKey = "ApiCache:Security:Authentication:ClientCaFile";

    /// <summary>
    /// Whether ApiCache will verify client certificates: Authenticate mode (the default) with a
    /// client CA configured. Only then does the HTTPS listener ask for them.
    /// </summary>
    public static bool VerifiesClientCertificates(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var mode = configuration[ModeKey];
        var authenticate = string.IsNullOrWhiteSpace(mode)
            || (Enum.TryParse<SecurityMode>(mode.Trim(), ignoreCase: true, out var parsed) && parsed == SecurityMode.Authenticate);
        return authenticate && !string.IsNullOrWhiteSpace(configuration[ClientCaFileKey]);
    }

    /// <summary>
    /// Sets the mode to Trusted when it is not configured and <paramref name="builtInDevServer"/>,
    /// refuses Trusted with a listener that is not loopback, and returns the line to print loudly
    /// when Trusted was chosen here (null otherwise).
    /// </summary>
    /// <exception cref="ApiCacheConfigurationException">The mode is not a known value, or Trusted with a non-loopback listener.</exception>
    public static string? Apply(IConfiguration configuration, SidecarOptions listeners, bool builtInDevServer)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(listeners);
        var configured = configuration[ModeKey];
        var defaulted = false;
        if (string.IsNullOrWhiteSpace(configured))
        {
            if (!builtInDevServer)
            {
                return null;
            }

            configuration[ModeKey] = nameof(SecurityMode.Trusted);
            defaulted = true;
        }
        else if (!Enum.TryParse<SecurityMode>(configured.Trim(), ignoreCase: true, out var mode) || !Enum.IsDefined(mode) || char.IsDigit(configured.Trim()[0]))
        {
            throw new ApiCacheConfigurationException(
                $"{ModeKey} is '{configured}': it must be {nameof(SecurityMode.Authenticate)} (the default) or {nameof(SecurityMode.Trusted)}.");
        }
        else if (mode != SecurityMode.Trusted)
        {
            return null;
        }

        foreach (var (key, url) in SidecarListeners.Urls(listeners))
        {
            if (!SidecarListeners.IsLoopback(url))
            {
                var why = defaulted ? " (the default when the built-in dev API server is used)" : "";
                throw new ApiCacheConfigurationException(
                    $"{ModeKey} is Trusted{why}, which does not authenticate or authorize callers, but {key} is '{url}', not a loopback address: " +
                    $"Trusted mode is allowed only when every listener is loopback (127.0.0.1, [::1], localhost). " +
                    $"Listen on loopback only, or set {ModeKey}=Authenticate.");
            }
        }

        return defaulted
            ? $"apicache: WARNING: SECURITY IS OFF: {ModeKey} is not set and the built-in dev API server is in use, so the sidecar runs in Trusted mode " +
              $"(callers are not authenticated or authorized; loopback listeners only). Set {ModeKey}=Authenticate to turn authentication on."
            : null;
    }
}
