using System.Net;
using System.Text.RegularExpressions;
using ApiCache.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Https;

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

        ReloadingCertificate? certificate = null;
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
                certificate.Logger = kestrel.ApplicationServices.GetService<ILoggerFactory>()?.CreateLogger("ApiCache.Sidecar.ServingCertificate");
                kestrel.ConfigureHttpsDefaults(https =>
                {
                    // Re-read when the files change (rotation), for new connections; no restart.
                    https.ServerCertificateSelector = (_, _) => certificate.Current;

                    // Like kube-apiserver with --client-ca-file: ask for a client certificate,
                    // never require one, and accept any at the TLS layer. ApiCache verifies it
                    // against ApiCache:Security:Authentication:ClientCaFile when it authenticates
                    // the request (a certificate it cannot verify is not an identity, and the
                    // request goes on to the bearer token or anonymous, as the apiserver does).
                    // Without a client CA, or in Trusted mode, nothing would verify it: not asked.
                    // (The mode is final by now: Kestrel reads its options when the host starts.)
                    if (SidecarSecurity.VerifiesClientCertificates(builder.Configuration))
                    {
                        https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                        https.ClientCertificateValidation = static (_, _, _) => true;
                    }
                });
            }
        });
    }

    /// <summary>The configured listen URLs with their configuration keys (unchecked; <see cref="Configure"/> checks them).</summary>
    public static IEnumerable<(string Key, string Url)> Urls(SidecarOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Listen))
        {
            yield return ("Sidecar:Listen", options.Listen);
        }

        if (!string.IsNullOrWhiteSpace(options.Https.Listen))
        {
            yield return ("Sidecar:Https:Listen", options.Https.Listen);
        }
    }

    /// <summary>
    /// Whether <paramref name="url"/> listens on a loopback address only: 127.0.0.0/8, [::1] or
    /// localhost. Wildcards (<c>*</c>, <c>0.0.0.0</c>, <c>[::]</c>), other addresses and names are not.
    /// </summary>
    public static bool IsLoopback(string url)
    {
        var match = ListenUrl().Match(url);
        if (!match.Success)
        {
            return false;
        }

        var host = match.Groups["host"].Value.Trim('[', ']');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
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

    private static ReloadingCertificate LoadCertificate(SidecarHttpsOptions https)
    {
        if (string.IsNullOrWhiteSpace(https.CertificateFile) || string.IsNullOrWhiteSpace(https.KeyFile))
        {
            throw new ApiCacheConfigurationException(
                "Sidecar:Https:Listen is set but Sidecar:Https:CertificateFile and Sidecar:Https:KeyFile are not: give the PEM serving certificate and its key.");
        }

        return ReloadingCertificate.Load(https.CertificateFile, https.KeyFile, "Sidecar:Https");
    }
}
