using ApiCache.Configuration;

namespace ApiCache.Upstream;

/// <summary>
/// Turns <see cref="UpstreamOptions"/> into resolved endpoints at start-up: exactly one source
/// (servers, kubeconfig or in-cluster) must be set, every file is read and every piece of PEM
/// material is checked, so a mistake stops the host with a one-line message naming the option.
/// </summary>
internal static class UpstreamSettingsResolver
{
    private const string Prefix = "ApiCache:Upstream";

    /// <summary>Resolves the configured upstream.</summary>
    /// <param name="options">The bound upstream options.</param>
    /// <param name="getEnvironmentVariable">Reads an environment variable (in-cluster detection, <c>~</c> expansion).</param>
    /// <returns>One entry per apiserver; never empty.</returns>
    /// <exception cref="ApiCacheConfigurationException">The configuration is missing, ambiguous or unusable.</exception>
    public static IReadOnlyList<UpstreamServerSettings> Resolve(UpstreamOptions options, Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);

        var set = new List<string>(3);
        if (options.Servers.Count > 0)
        {
            set.Add($"{Prefix}:Servers");
        }

        if (!string.IsNullOrWhiteSpace(options.Kubeconfig))
        {
            set.Add($"{Prefix}:Kubeconfig");
        }

        if (options.InCluster)
        {
            set.Add($"{Prefix}:InCluster");
        }

        if (set.Count == 0)
        {
            throw new ApiCacheConfigurationException(
                $"No upstream apiserver configured: set {Prefix}:Servers:0:Url, {Prefix}:Kubeconfig or {Prefix}:InCluster=true (see README, Configuration).");
        }

        if (set.Count > 1)
        {
            throw new ApiCacheConfigurationException(
                $"More than one upstream source is configured ({string.Join(", ", set)}); set exactly one of {Prefix}:Servers, {Prefix}:Kubeconfig or {Prefix}:InCluster.");
        }

        if (!string.IsNullOrWhiteSpace(options.Context) && string.IsNullOrWhiteSpace(options.Kubeconfig))
        {
            throw new ApiCacheConfigurationException(
                $"{Prefix}:Context is set but {Prefix}:Kubeconfig is not; a context only selects an entry of a kubeconfig, so set {Prefix}:Kubeconfig or remove {Prefix}:Context.");
        }

        if (options.InCluster)
        {
            return [InClusterConfigLoader.Load(UpstreamMaterial.ExpandHome(options.ServiceAccountDirectory, getEnvironmentVariable), getEnvironmentVariable)];
        }

        if (!string.IsNullOrWhiteSpace(options.Kubeconfig))
        {
            var files = options.Kubeconfig
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => UpstreamMaterial.ExpandHome(p, getEnvironmentVariable));
            return [KubeconfigLoader.Load(files, options.Context)];
        }

        var servers = new UpstreamServerSettings[options.Servers.Count];
        for (var i = 0; i < servers.Length; i++)
        {
            servers[i] = ResolveServer(options.Servers[i], $"{Prefix}:Servers:{i}", getEnvironmentVariable);
        }

        return servers;
    }

    private static UpstreamServerSettings ResolveServer(UpstreamServerOptions server, string key, Func<string, string?> getEnvironmentVariable)
    {
        if (server is null || string.IsNullOrWhiteSpace(server.Url))
        {
            throw new ApiCacheConfigurationException($"{key}:Url is not set; set it to the apiserver's base URL, e.g. https://10.0.0.1:6443.");
        }

        var url = UpstreamMaterial.TryParseServerUrl(server.Url, out var reason)
            ?? throw new ApiCacheConfigurationException($"{key}:Url '{server.Url}' {reason}; use e.g. https://10.0.0.1:6443.");

        var token = string.IsNullOrWhiteSpace(server.BearerToken) ? null : server.BearerToken.Trim();
        var tokenFile = FullPath(server.BearerTokenFile, getEnvironmentVariable);
        if (token is not null && tokenFile is not null)
        {
            throw new ApiCacheConfigurationException($"{key} sets both BearerToken and BearerTokenFile; set only one of {key}:BearerToken or {key}:BearerTokenFile.");
        }

        if (tokenFile is not null)
        {
            UpstreamMaterial.RequireFile(tokenFile, $"{key}:BearerTokenFile");
        }

        var certificateFile = FullPath(server.ClientCertificateFile, getEnvironmentVariable);
        var keyFile = FullPath(server.ClientKeyFile, getEnvironmentVariable);
        if ((certificateFile is null) != (keyFile is null))
        {
            var (present, missing) = certificateFile is null ? ("ClientKeyFile", "ClientCertificateFile") : ("ClientCertificateFile", "ClientKeyFile");
            throw new ApiCacheConfigurationException($"{key}:{present} is set but {key}:{missing} is not; set both or neither.");
        }

        byte[]? certificate = null, privateKey = null;
        if (certificateFile is not null && keyFile is not null)
        {
            certificate = UpstreamMaterial.ReadFile(certificateFile, $"{key}:ClientCertificateFile");
            privateKey = UpstreamMaterial.ReadFile(keyFile, $"{key}:ClientKeyFile");
            UpstreamMaterial.ValidateClientCertificate(certificate, privateKey, $"{key}:ClientCertificateFile '{certificateFile}' / ClientKeyFile '{keyFile}'");
        }

        var caFile = FullPath(server.CertificateAuthorityFile, getEnvironmentVariable);
        byte[]? ca = null;
        if (caFile is not null)
        {
            if (server.InsecureSkipTlsVerify)
            {
                throw new ApiCacheConfigurationException($"{key} sets both InsecureSkipTlsVerify and CertificateAuthorityFile; remove one of them.");
            }

            ca = UpstreamMaterial.ReadFile(caFile, $"{key}:CertificateAuthorityFile");
            UpstreamMaterial.ValidateCertificateAuthority(ca, $"{key}:CertificateAuthorityFile '{caFile}'");
        }

        return new UpstreamServerSettings
        {
            Url = url,
            BearerToken = token,
            BearerTokenFile = tokenFile,
            ClientCertificatePem = certificate,
            ClientKeyPem = privateKey,
            CertificateAuthorityPem = ca,
            InsecureSkipTlsVerify = server.InsecureSkipTlsVerify,
            TlsServerName = string.IsNullOrWhiteSpace(server.TlsServerName) ? null : server.TlsServerName.Trim(),
            Source = key,
        };
    }

    private static string? FullPath(string? path, Func<string, string?> getEnvironmentVariable) =>
        string.IsNullOrWhiteSpace(path) ? null : Path.GetFullPath(UpstreamMaterial.ExpandHome(path.Trim(), getEnvironmentVariable));
}
