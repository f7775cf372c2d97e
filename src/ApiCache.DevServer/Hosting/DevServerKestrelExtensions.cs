using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ApiCache.DevServer.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;

namespace ApiCache.DevServer.Hosting;

/// <summary>Kestrel settings for the dev API server's TLS, shared by the host program and in-process test hosts.</summary>
public static class DevServerKestrelExtensions
{
    /// <summary>
    /// Reads <c>DevServer:Tls</c> from <paramref name="configuration"/> (defaults when absent), for
    /// hosts that must know before the server starts whether it speaks HTTPS.
    /// </summary>
    public static DevServerTlsOptions ReadDevServerTlsOptions(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var tls = new DevServerTlsOptions();
        configuration.GetSection(DevServerOptions.SectionName).GetSection(nameof(DevServerOptions.Tls)).Bind(tls);
        return tls;
    }

    /// <summary>
    /// When <paramref name="tls"/> has a certificate and key: HTTPS endpoints (those of https URLs)
    /// serve that certificate over HTTP/1.1 and HTTP/2 and ask for a client certificate without
    /// requiring one, accepting any at the TLS layer — whether it identifies a user is decided by
    /// the dev server's authenticator against <see cref="DevServerTlsOptions.ClientCaFile"/> and
    /// <see cref="DevServerTlsOptions.RequestHeaderClientCaFile"/>, so an unverifiable certificate is
    /// simply no identity. Without them nothing changes. An unreadable certificate or key throws
    /// <see cref="InvalidOperationException"/> naming the files.
    /// </summary>
    public static KestrelServerOptions UseDevServerTls(this KestrelServerOptions kestrel, DevServerTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(tls);
        if (!tls.ServesHttps)
        {
            if (!string.IsNullOrWhiteSpace(tls.CertificateFile) || !string.IsNullOrWhiteSpace(tls.KeyFile))
            {
                throw new InvalidOperationException("DevServer:Tls needs both CertificateFile and KeyFile to serve HTTPS.");
            }

            return kestrel;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(tls.CertificateFile!, tls.KeyFile);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"DevServer:Tls:CertificateFile '{tls.CertificateFile}' with KeyFile '{tls.KeyFile}' cannot be loaded: {e.Message}", e);
        }

        kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
        kestrel.ConfigureHttpsDefaults(https =>
        {
            https.ServerCertificate = certificate;
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;

            // Any certificate is accepted here and verified by the authenticator against the configured CAs.
#pragma warning disable CA5359
            https.ClientCertificateValidation = static (_, _, _) => true;
#pragma warning restore CA5359
        });
        return kestrel;
    }
}
