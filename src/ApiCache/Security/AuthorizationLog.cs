using Microsoft.Extensions.Logging;

namespace ApiCache.Security;

/// <summary>Authorization's log messages; event ids 800-849.</summary>
internal static partial class AuthorizationLog
{
    [LoggerMessage(EventId = 800, Level = LogLevel.Warning, Message = "Could not authorize {Verb} {Path} for user {User}: {Error}; the request was {Action}")]
    public static partial void Unavailable(ILogger logger, string verb, string path, string user, string error, string action);

    [LoggerMessage(EventId = 801, Level = LogLevel.Debug, Message = "Denied {Verb} {Path} for user {User}: {Reason}")]
    public static partial void Denied(ILogger logger, string verb, string path, string user, string reason);

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "Refused {Method} {Path}: no authenticated caller (the authentication middleware did not run for it)")]
    public static partial void NoCaller(ILogger logger, string method, string path);
}
