using Microsoft.Extensions.Logging;

namespace ApiCache.Security;

/// <summary>Start-up log lines about the security mode.</summary>
internal static partial class SecurityLog
{
    /// <summary>The logger category of these lines.</summary>
    public const string Category = "ApiCache.Security";

    /// <summary>Says loudly what trusted mode means.</summary>
    [LoggerMessage(EventId = 940, Level = LogLevel.Warning, Message =
        "ApiCache:Security:Mode is Trusted: ApiCache does NOT authenticate or authorize its callers. Anyone who can reach it " +
        "can read everything in its cache, and its forwarded requests {Forwarding}. Use Trusted only inside a host that has " +
        "already authenticated and authorized every request, or for local development on loopback.")]
    public static partial void Trusted(ILogger logger, string forwarding);

    /// <summary>Says how callers are authenticated.</summary>
    [LoggerMessage(EventId = 941, Level = LogLevel.Information, Message =
        "Callers are authenticated (client certificates: {Certificates}; bearer tokens: {Tokens}; anonymous requests: {Anonymous}); forwarded requests carry their identity as {Forwarding}")]
    public static partial void Authenticating(ILogger logger, string certificates, string tokens, string anonymous, string forwarding);
}
