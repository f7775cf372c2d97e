using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Security.Cryptography.X509Certificates;
using ApiCache.Configuration;

namespace ApiCache.Sidecar;

/// <summary>Turns <see cref="SidecarOptions"/> into Kestrel listeners, failing with one clear line when they are wrong.</summary>
internal static partial class SidecarListeners
{
    /// <summary>Validates the options and configures Kestrel with them.</summary>
    public static void Configure(WebApplicationBuilder builder, SidecarOptions options)
    {
        var urls = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Listen))
        {
            urls.Add(CheckUrl(options.Listen, "http", "Sidecar:Listen"));
        }

        X509Certificate2? certificate = null;
        if (!string.IsNullOrWhiteSpace(options.Https.Listen))
        {
            urls.Add(CheckUrl(options.Https.Listen, "https", "Sidecar:Https:Listen"));
            certificate = LoadCertificate(options.Https);
        }

        if (urls.Count == 0)
        {
            throw new ApiCacheConfigurationException(
                "Nothing to listen on: set Sidecar:Listen (e.g. http://127.0.0.1:8001) or Sidecar:Https:Listen with a certificate.");
        }

        builder.WebHost.UseUrls([.. urls]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Watches and exec sessions are long-lived: no request-level limits beyond the apiserver's own.
            kestrel.Limits.MinRequestBodyDataRate = null;

            // Transparent: the apiserver sends no Server header, so neither do we.
            kestrel.AddServerHeader = false;
            if (certificate is not null)
            {
                kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
            }
        });
    }

    private static string CheckUrl(string url, string scheme, string key)
    {
        // scheme://host:port with an explicit port; host an IP literal (IPv6 in brackets), a name, or * for all addresses.
        var match = ListenUrl().Match(url);
        if (!match.Success || match.Groups["scheme"].Value != scheme)
        {
            throw new ApiCacheConfigurationException(
                $"{key} is '{url}': it must be a {scheme}:// URL with a host and an explicit port and no path, e.g. {scheme}://127.0.0.1:{(scheme == "http" ? 8001 : 6443)}.");
        }

        if (match.Groups["host"].Value.Equals("localhost", StringComparison.OrdinalIgnoreCase) && match.Groups["port"].Value == "0")
        {
            throw new ApiCacheConfigurationException(
                $"{key} is '{url}': port 0 (any free port) needs an IP address, not localhost; use {scheme}://127.0.0.1:0.");
        }

        return url;
    }

    [GeneratedRegex(@"^(?<scheme>[a-z]+)://(?<host>\[[0-9A-Fa-f:.]+\]|[^/:\[\]]+):(?<port>[0-9]{1,5})/?$")]
    private static partial Regex ListenUrl();

    private static X509Certificate2 LoadCertificate(SidecarHttpsOptions https)
    {
        if (string.IsNullOrWhiteSpace(https.CertificateFile) || string.IsNullOrWhiteSpace(https.KeyFile))
        {
            throw new ApiCacheConfigurationException(
                "Sidecar:Https:Listen is set but Sidecar:Https:CertificateFile and Sidecar:Https:KeyFile are not: give the PEM serving certificate and its key.");
        }

        foreach (var (file, key) in new[] { (https.CertificateFile, "Sidecar:Https:CertificateFile"), (https.KeyFile, "Sidecar:Https:KeyFile") })
        {
            if (!File.Exists(file))
            {
                throw new ApiCacheConfigurationException($"{key}: file '{file}' does not exist.");
            }
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(https.CertificateFile, https.KeyFile);
        }
        catch (CryptographicException e)
        {
            throw new ApiCacheConfigurationException(
                $"Sidecar:Https: cannot load the certificate '{https.CertificateFile}' with key '{https.KeyFile}': {e.Message}", e);
        }
    }
}
