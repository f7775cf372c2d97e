using Microsoft.Extensions.Logging;

namespace ApiCache.Throttling;

/// <summary>Throttling's log messages; event ids 500-599.</summary>
internal static partial class ThrottlingLog
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Throttling rules changed by {Source} (generation {Generation}): {Count} rule(s) in force {Rules}; added {Added}, changed {Changed}, removed {Removed}")]
    public static partial void RulesChanged(ILogger logger, string source, long generation, int count, IEnumerable<string> rules, IEnumerable<string> added, IEnumerable<string> changed, IEnumerable<string> removed);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Refused a change of the throttling rules from {Source}; the previous rules (generation {Generation}) stay in force: {Errors}")]
    public static partial void ChangeRefused(ILogger logger, string source, long generation, string errors);

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "The reloaded configuration is invalid; the throttling rules in force (generation {Generation}) and limits stay: {Errors}")]
    public static partial void ReloadInvalid(ILogger logger, long generation, string errors);

    [LoggerMessage(EventId = 503, Level = LogLevel.Information, Message = "Throttling limits changed by the configuration: enabled {Enabled}, max reads in flight {MaxReads}, max mutations in flight {MaxMutations}, Retry-After {RetryAfter} s")]
    public static partial void LimitsChanged(ILogger logger, bool enabled, int maxReads, int maxMutations, int retryAfter);

    [LoggerMessage(EventId = 504, Level = LogLevel.Warning, Message = "Admin request {Method} {Path} refused: {Reason}")]
    public static partial void AdminRefused(ILogger logger, string method, string path, string reason);

    [LoggerMessage(EventId = 505, Level = LogLevel.Warning, Message = "Cannot read the admin bearer token file {File}: {Reason}; bearer tokens are refused until it can be read")]
    public static partial void TokenFileUnreadable(ILogger logger, string file, string reason);

    [LoggerMessage(EventId = 506, Level = LogLevel.Information, Message = "Admin request {Method} {Path} by {Identity}")]
    public static partial void AdminRequest(ILogger logger, string method, string path, string identity);
}
