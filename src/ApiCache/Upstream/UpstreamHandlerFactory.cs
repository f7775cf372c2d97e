using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ApiCache.Configuration;
using Microsoft.Extensions.Logging;

namespace ApiCache.Upstream;

/// <summary>
/// Builds the HTTP stack ApiCache uses towards one apiserver: a <see cref="SocketsHttpHandler"/>
/// set up as YARP recommends for proxying (no proxy, redirects, cookies or decompression, several
/// HTTP/2 connections allowed, no tracing headers added), with the endpoint's TLS trust and client
/// certificate, and a <see cref="BearerTokenHandler"/> in front of it when a token is configured.
/// HTTP/1.1 connections write through a <see cref="Forwarding.RepeatedHeaderStream"/>, so forwarded
/// identities can carry a header once per value (<see cref="Forwarding.RepeatedHeaders"/>).
/// </summary>
internal static class UpstreamHandlerFactory
{
    /// <summary>
    /// Creates the invoker for <paramref name="settings"/>. With <paramref name="balancing"/>,
    /// connections are recycled on a jittered lifetime over several pools (<see cref="Balancing.ConnectionPoolRotation"/>).
    /// </summary>
    public static HttpMessageInvoker Create(UpstreamServerSettings settings, ForwardingOptions forwarding, TimeProvider time, ILogger? tokenLogger = null, BalancingOptions? balancing = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(forwarding);
        HttpMessageHandler handler;
        if (balancing is null)
        {
            handler = CreateSocketsHandler(settings, forwarding, Timeout.InfiniteTimeSpan);
        }
        else
        {
            var pools = new HttpMessageHandler[balancing.ConnectionPoolsPerEndpoint];
            for (var i = 0; i < pools.Length; i++)
            {
                pools[i] = CreateSocketsHandler(settings, forwarding, Balancing.ConnectionPoolRotation.JitteredLifetime(balancing.ConnectionLifetime, balancing.ConnectionLifetimeJitter, Random.Shared));
            }

            handler = pools.Length == 1 ? pools[0] : new Balancing.ConnectionPoolRotation(pools);
        }

        HttpMessageHandler outer = handler;
        var token = BearerTokenSource.Create(settings, time, tokenLogger);
        if (token is not null)
        {
            outer = new BearerTokenHandler(token) { InnerHandler = handler };
        }

        return new HttpMessageInvoker(outer, disposeHandler: true);
    }

    private static SocketsHttpHandler CreateSocketsHandler(UpstreamServerSettings settings, ForwardingOptions forwarding, TimeSpan connectionLifetime) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = null,
        ConnectTimeout = forwarding.ConnectTimeout,
        PooledConnectionLifetime = connectionLifetime,
        SslOptions = CreateSslOptions(settings),
        PlaintextStreamFilter = static (context, _) => ValueTask.FromResult(
            context.NegotiatedHttpVersion.Major == 1 ? new Forwarding.RepeatedHeaderStream(context.PlaintextStream) : context.PlaintextStream),
    };

    private static SslClientAuthenticationOptions CreateSslOptions(UpstreamServerSettings settings)
    {
        var ssl = new SslClientAuthenticationOptions();
        if (!string.IsNullOrEmpty(settings.TlsServerName))
        {
            ssl.TargetHost = settings.TlsServerName;
        }

        if (settings.ClientCertificatePem is not null && settings.ClientKeyPem is not null)
        {
            ssl.ClientCertificates = [UpstreamMaterial.LoadClientCertificate(settings.ClientCertificatePem, settings.ClientKeyPem, settings.Source)];
        }

        if (settings.InsecureSkipTlsVerify)
        {
            // insecure-skip-tls-verify: the operator asked for exactly this (as kubectl allows).
#pragma warning disable CA5359
            ssl.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (settings.CertificateAuthorityPem is not null)
        {
            var roots = UpstreamMaterial.LoadCertificateAuthority(settings.CertificateAuthorityPem, settings.Source);
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(roots);
            ssl.CertificateChainPolicy = policy;
        }

        return ssl;
    }
}
