using ApiCache.DevServer.Configuration;
using ApiCache.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiCache.DevServer.Security;

/// <summary>
/// The dev server's security, built once from <see cref="DevServerOptions.Security"/> and
/// <see cref="DevServerOptions.Tls"/>: off without a policy file; otherwise the policy (re-read when
/// the file changes), the authenticator, the authorizer chain and impersonation. Building it reads
/// the policy and CA files, so a broken one fails start-up (it is resolved when the server is mapped).
/// </summary>
internal sealed class DevServerSecurity
{
    /// <summary>The user of requests the server makes to itself (the embedded cache's in-process calls), as the apiserver's loopback client.</summary>
    public static readonly UserInfo Loopback = new("system:apiserver", "", ["system:masters", UserInfo.AuthenticatedGroup], UserInfo.NoExtra);

    private readonly WatchedFile<SecurityPolicy>? _policy;
    private readonly RequestAuthenticator? _authenticator;

    /// <summary>Reads the configured policy and CA files.</summary>
    public DevServerSecurity(IOptions<DevServerOptions> options, DevServerAuthorizer authorizer, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        Authorizer = authorizer;
        Impersonation = new Impersonation(authorizer);
        var settings = options.Value;
        if (!settings.Security.Enabled)
        {
            return;
        }

        var logger = loggers.CreateLogger<DevServerSecurity>();
        _policy = new WatchedFile<SecurityPolicy>(settings.Security.PolicyFile!, "DevServer:Security:PolicyFile", PolicyLoader.Parse, logger);
        _authenticator = new RequestAuthenticator(settings.Tls, logger);
    }

    /// <summary>Whether requests are authenticated and authorized (a policy file is configured).</summary>
    public bool Enabled => _policy is not null;

    /// <summary>The policy in force (checked for changes on each call).</summary>
    public SecurityPolicy Policy => (_policy ?? throw new InvalidOperationException("security is off")).Current;

    /// <summary>Who sent a request.</summary>
    public RequestAuthenticator Authenticator => _authenticator ?? throw new InvalidOperationException("security is off");

    /// <summary>The authorizer chain.</summary>
    public DevServerAuthorizer Authorizer { get; }

    /// <summary>Impersonation headers.</summary>
    public Impersonation Impersonation { get; }

    /// <summary>The caller of a request that passed the security middleware; the loopback user for the server's own in-process requests.</summary>
    public static UserInfo Caller(HttpContext context) => CallerFeature.Get(context)?.User ?? Loopback;
}
