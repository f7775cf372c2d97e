using System.Globalization;
using ApiCache.Configuration;

namespace ApiCache.Upstream;

/// <summary>
/// The pod's own view of its apiserver, as client-go's <c>rest.InClusterConfig</c>:
/// <c>https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT</c>, the service account token
/// (kept as a file so rotations are picked up) and the cluster CA bundle.
/// </summary>
internal static class InClusterConfigLoader
{
    /// <summary>The description used as <see cref="UpstreamServerSettings.Source"/>.</summary>
    public const string SourceName = "in-cluster service account";

    private const string HostVariable = "KUBERNETES_SERVICE_HOST";
    private const string PortVariable = "KUBERNETES_SERVICE_PORT";
    private const string DirectoryOption = "ApiCache:Upstream:ServiceAccountDirectory";

    /// <summary>Builds the settings from the environment and the service account directory.</summary>
    /// <param name="serviceAccountDirectory">Where <c>token</c> and <c>ca.crt</c> are mounted.</param>
    /// <param name="getEnvironmentVariable">Reads an environment variable; <see langword="null"/> when unset.</param>
    /// <exception cref="ApiCacheConfigurationException">A variable or a file is missing or unusable.</exception>
    public static UpstreamServerSettings Load(string serviceAccountDirectory, Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(serviceAccountDirectory);
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);

        var host = getEnvironmentVariable(HostVariable)?.Trim();
        if (string.IsNullOrEmpty(host))
        {
            throw new ApiCacheConfigurationException(
                $"ApiCache:Upstream:InCluster is true but {HostVariable} is not set (not running in a pod?); run ApiCache in a pod or configure ApiCache:Upstream:Servers or ApiCache:Upstream:Kubeconfig instead.");
        }

        var port = getEnvironmentVariable(PortVariable)?.Trim();
        if (string.IsNullOrEmpty(port))
        {
            throw new ApiCacheConfigurationException(
                $"ApiCache:Upstream:InCluster is true but {PortVariable} is not set (not running in a pod?); run ApiCache in a pod or configure ApiCache:Upstream:Servers or ApiCache:Upstream:Kubeconfig instead.");
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber) || portNumber is < 1 or > 65535)
        {
            throw new ApiCacheConfigurationException($"{PortVariable} '{port}' is not a TCP port number (1-65535); check the pod's environment.");
        }

        // An IPv6 address must be bracketed in a URL (client-go uses net.JoinHostPort).
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
        {
            host = $"[{host}]";
        }

        var url = UpstreamMaterial.TryParseServerUrl($"https://{host}:{portNumber}", out _)
            ?? throw new ApiCacheConfigurationException($"{HostVariable} '{host}' is not a valid host name or IP address; check the pod's environment.");

        var directory = Path.GetFullPath(serviceAccountDirectory);
        var tokenFile = Path.Join(directory, "token");
        if (!File.Exists(tokenFile))
        {
            throw new ApiCacheConfigurationException(
                $"Service account token '{tokenFile}' does not exist; mount the service account token (automountServiceAccountToken: true) or set {DirectoryOption}.");
        }

        var caFile = Path.Join(directory, "ca.crt");
        if (!File.Exists(caFile))
        {
            throw new ApiCacheConfigurationException(
                $"Service account CA bundle '{caFile}' does not exist; mount the service account (automountServiceAccountToken: true) or set {DirectoryOption}.");
        }

        var ca = UpstreamMaterial.ReadFile(caFile, "Service account CA bundle");
        UpstreamMaterial.ValidateCertificateAuthority(ca, $"Service account CA bundle '{caFile}'");

        return new UpstreamServerSettings
        {
            Url = url,
            BearerTokenFile = tokenFile,
            CertificateAuthorityPem = ca,
            Source = SourceName,
        };
    }
}
