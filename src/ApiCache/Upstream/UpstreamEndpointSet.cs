using ApiCache.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ApiCache.Upstream;

/// <summary>
/// The configured apiservers, resolved and validated once at start-up, each with its own HTTP
/// stack. <see cref="Next"/> spreads over them round-robin; health, load-aware choice and failover
/// belong to the upstream pool (<see cref="Balancing.UpstreamPool"/>).
/// </summary>
internal sealed partial class UpstreamEndpointSet : IDisposable
{
    private readonly UpstreamEndpoint[] _endpoints;
    private int _next = -1;

    /// <summary>The name of the single endpoint of an embedding host that serves the API in-process.</summary>
    public const string InProcessName = "in-process";

    /// <summary>Where requests to the in-process endpoint are addressed; the name never resolves (RFC 2606 <c>.invalid</c>).</summary>
    public static readonly Uri InProcessUrl = new("http://in-process.apicache.invalid/");

    /// <summary>
    /// The construction path of dependency injection: when the host registered an
    /// <see cref="InProcessUpstream"/> (<c>AddApiCacheInProcessUpstream()</c>), a single endpoint named
    /// <see cref="InProcessName"/> over the host's handler and no upstream configuration is read;
    /// otherwise the apiservers <c>ApiCache:Upstream</c> configures.
    /// </summary>
    public UpstreamEndpointSet(IOptions<ApiCacheOptions> options, TimeProvider time, ILoggerFactory loggerFactory, IServiceProvider? services = null)
        : this(services?.GetService(typeof(InProcessUpstream)) is InProcessUpstream inProcess
            ? [InProcess(inProcess.CreateHandler(services))]
            : Resolve(options.Value, time, loggerFactory))
    {
        var logger = loggerFactory.CreateLogger<UpstreamEndpointSet>();
        foreach (var endpoint in _endpoints)
        {
            if (endpoint.Name == InProcessName)
            {
                LogInProcess(logger);
            }
            else
            {
                LogUpstream(logger, endpoint.Name, endpoint.Settings.Source);
            }
        }
    }

    public UpstreamEndpointSet(IReadOnlyList<UpstreamEndpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.Count == 0)
        {
            throw new ArgumentException("At least one upstream endpoint is required.", nameof(endpoints));
        }

        _endpoints = [.. endpoints];
    }

    /// <summary>All endpoints, in configuration order.</summary>
    public IReadOnlyList<UpstreamEndpoint> Endpoints => _endpoints;

    /// <summary>The endpoint for the next request.</summary>
    public UpstreamEndpoint Next()
    {
        if (_endpoints.Length == 1)
        {
            return _endpoints[0];
        }

        var index = (uint)Interlocked.Increment(ref _next) % (uint)_endpoints.Length;
        return _endpoints[index];
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var endpoint in _endpoints)
        {
            endpoint.Dispose();
        }
    }

    /// <summary>The endpoint that hands requests to <paramref name="handler"/>, which serves them inside the host.</summary>
    internal static UpstreamEndpoint InProcess(HttpMessageHandler handler)
    {
        var settings = new UpstreamServerSettings { Url = InProcessUrl, Source = "AddApiCacheInProcessUpstream" };
        return new UpstreamEndpoint(settings, new HttpMessageInvoker(handler, disposeHandler: true), InProcessName);
    }

    private static UpstreamEndpoint[] Resolve(ApiCacheOptions options, TimeProvider time, ILoggerFactory? loggerFactory)
    {
        var settings = UpstreamSettingsResolver.Resolve(options.Upstream, Environment.GetEnvironmentVariable);
        var security = options.Security;
        if (security.Mode == SecurityMode.Authenticate)
        {
            RequireOwnCredentials(settings);
        }

        var frontProxy = security.Mode == SecurityMode.Authenticate && security.Forwarding.Mode == IdentityForwardingMode.FrontProxy
            ? LoadFrontProxyCertificate(security.Forwarding)
            : ((byte[] Certificate, byte[] Key)?)null;
        var tokenLogger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<BearerTokenSource>();
        return [.. settings.Select(s => new UpstreamEndpoint(
            s,
            UpstreamHandlerFactory.Create(s, options.Forwarding, time, tokenLogger, options.Balancing),
            frontProxyInvoker: frontProxy is var (certificate, key)
                ? UpstreamHandlerFactory.Create(
                    s with { BearerToken = null, BearerTokenFile = null, ClientCertificatePem = certificate, ClientKeyPem = key },
                    options.Forwarding,
                    time,
                    tokenLogger,
                    options.Balancing)
                : null))];
    }

    /// <summary>
    /// Authenticating callers needs ApiCache's own identity towards every upstream: TokenReviews and
    /// access reviews are sent with it, and forwarded requests impersonate callers with it.
    /// </summary>
    private static void RequireOwnCredentials(IReadOnlyList<UpstreamServerSettings> settings)
    {
        foreach (var server in settings)
        {
            if (server.BearerToken is null && server.BearerTokenFile is null && server.ClientCertificatePem is null)
            {
                throw new ApiCacheConfigurationException(
                    $"ApiCache:Security:Mode is Authenticate (the default), but the upstream {server.Url} (from {server.Source}) has no credentials of ApiCache's own: " +
                    "ApiCache needs them to check callers' tokens (TokenReview) and to forward callers' identities. " +
                    "Set ApiCache:Upstream:Servers:N:BearerToken, BearerTokenFile or ClientCertificateFile and ClientKeyFile (or use a kubeconfig user with credentials, or ApiCache:Upstream:InCluster), " +
                    "or set ApiCache:Security:Mode to Trusted if ApiCache must not check who calls it.");
            }
        }
    }

    /// <summary>The front-proxy client certificate and key (the validator made sure both are named and exist).</summary>
    private static (byte[] Certificate, byte[] Key) LoadFrontProxyCertificate(IdentityForwardingOptions forwarding)
    {
        const string Section = "ApiCache:Security:Forwarding";
        if (string.IsNullOrWhiteSpace(forwarding.FrontProxyCertificateFile) || string.IsNullOrWhiteSpace(forwarding.FrontProxyKeyFile))
        {
            throw new ApiCacheConfigurationException($"{Section}:Mode is FrontProxy, so {Section}:FrontProxyCertificateFile and {Section}:FrontProxyKeyFile must both be set.");
        }

        var certificate = UpstreamMaterial.ReadFile(forwarding.FrontProxyCertificateFile, $"{Section}:FrontProxyCertificateFile");
        var key = UpstreamMaterial.ReadFile(forwarding.FrontProxyKeyFile, $"{Section}:FrontProxyKeyFile");
        UpstreamMaterial.ValidateClientCertificate(certificate, key, $"{Section}:FrontProxyCertificateFile '{forwarding.FrontProxyCertificateFile}' / FrontProxyKeyFile '{forwarding.FrontProxyKeyFile}'");
        return (certificate, key);
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Forwarding to upstream apiserver {Upstream} (from {Source})")]
    private static partial void LogUpstream(ILogger logger, string upstream, string source);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Embedded: the host serves the informers in-process (AddApiCacheInProcessUpstream); no upstream apiserver")]
    private static partial void LogInProcess(ILogger logger);
}
